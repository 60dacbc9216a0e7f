#Requires -Version 7.6
# Start-AfmlSession's Binance path against the standalone fake Binance (tests/FakeBinance) run as a child process on
# 127.0.0.1: the same two commands a user runs to try the live path without keys. Runs against the *built* module.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    $script:ModuleErrorId = 'Afml.PowerShell.Commands.StartAfmlSessionCommand'
    Import-Module Afml -Force -ErrorAction Stop

    function script:Get-ProductionFiles {
        param([string] $Root)
        $dir = Join-Path $Root "$DemoId/produccion"
        if (Test-Path $dir) { @(Get-ChildItem $dir -File -Recurse) } else { @() }
    }

    # 1 candle per second (3600x); plenty of balance so every session can allocate the default capital even with
    # the previous session's position still open on the shared account.
    $fake = Start-FakeBinance
    $script:Fake = $fake.Process
    $script:Endpoint = $fake.Endpoint
    $script:FakeKey = $fake.Key
    $script:FakeSecret = $fake.Secret
    $script:Credential = $fake.Credential
}

AfterAll {
    Stop-FakeBinance $script:Fake
}

Describe 'The standalone fake Binance' {
    It 'listens on the port it printed, on 127.0.0.1' {
        $Endpoint | Should -Match '^http://127\.0\.0\.1:\d+$'
        $FakeKey | Should -Match '^[0-9a-f]{64}$'
        $time = Invoke-RestMethod "$Endpoint/fapi/v1/time" -TimeoutSec 10
        # The virtual clock sits in the candle being streamed (2025), not at today's date.
        [DateTimeOffset]::FromUnixTimeMilliseconds($time.serverTime).Year | Should -Be 2025
    }
}

Describe 'Start-AfmlSession on Binance (fake venue)' {
    It 'trades the testnet path with -Credential at -Endpoint' {
        $root = New-TrainingCopy
        $s = Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Endpoint $Endpoint -Credential $Credential -MaxSteps 5 -Quiet
        $s.Steps | Should -Be 5
        $s.StopReason | Should -Be 'MaxSteps'
        $s.Venue | Should -Be 'binance-testnet'
        $s.FirstCandle.Year | Should -Be 2025
        (Get-Content $s.RegistroPath).Count | Should -Be 6
        (Get-Content $s.RegistroPath -TotalCount 1) | Should -Match '^timestamp,paso,action,precio,'
    }

    It 'runs -Paper on the fake''s market data without credentials' {
        $root = New-TrainingCopy
        $s = Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Endpoint $Endpoint -Paper -MaxSteps 5 -Quiet
        $s.Steps | Should -Be 5
        $s.Venue | Should -Be 'paper'
        (Get-Content $s.RegistroPath).Count | Should -Be 6
    }

    It 'refuses a testnet session without credentials and writes nothing' {
        $root = New-TrainingCopy
        $saved = $env:BINANCE_TESTNET_API_KEY, $env:BINANCE_TESTNET_API_SECRET
        try {
            $env:BINANCE_TESTNET_API_KEY = $null
            $env:BINANCE_TESTNET_API_SECRET = $null
            { Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Endpoint $Endpoint -MaxSteps 1 -Quiet } |
                Should -Throw -ErrorId "CredentialsNotFound,$ModuleErrorId"
        } finally {
            $env:BINANCE_TESTNET_API_KEY, $env:BINANCE_TESTNET_API_SECRET = $saved
        }
        Get-ProductionFiles $root | Should -BeNullOrEmpty
    }

    It 'refuses -Paper with -Live' {
        $root = New-TrainingCopy
        { Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Endpoint $Endpoint -Paper -Live -Force -MaxSteps 1 -Quiet } |
            Should -Throw -ErrorId "VenueConflict,$ModuleErrorId"
        Get-ProductionFiles $root | Should -BeNullOrEmpty
    }

    It 'does nothing for -Live -WhatIf' {
        $root = New-TrainingCopy
        Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Endpoint $Endpoint -Credential $Credential -Live -WhatIf -MaxSteps 1 -Quiet |
            Should -BeNullOrEmpty
        Get-ProductionFiles $root | Should -BeNullOrEmpty
    }

    It 'does not start -Live without -Force when it cannot ask for confirmation' {
        # A child pwsh -NonInteractive: the real-money confirmation cannot be prompted for, so no session may start
        # (run in this process, an interactive host would sit waiting for an answer).
        $root = New-TrainingCopy
        $module = (Get-Module Afml).Path
        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$module'
`$c = [pscredential]::new('$FakeKey', (ConvertTo-SecureString '$FakeSecret' -AsPlainText -Force))
try { Start-AfmlSession -TrainId '$DemoId' -TrainingRoot '$root' -Endpoint '$Endpoint' -Credential `$c -Live -MaxSteps 1 -Quiet; 'STARTED' }
catch { 'ERROR: ' + `$_.FullyQualifiedErrorId + ' | ' + `$_.Exception.Message }
"@
        $text = (Invoke-ChildPwsh $script -Seconds 60 -Because 'the child pwsh must not wait for an answer').StdOut
        $text | Should -Match 'ERROR: '
        $text | Should -Match 'NonInteractive'
        $text | Should -Not -Match 'STARTED'
        Get-ProductionFiles $root | Should -BeNullOrEmpty
    }

    It 'runs -Live -Force against the local endpoint as binance-live and says so' {
        $root = New-TrainingCopy
        $out = Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Endpoint $Endpoint -Credential $Credential -Live -Force -MaxSteps 5 -WarningAction SilentlyContinue 6>&1
        $s = $out | Where-Object { $_.GetType().FullName -eq 'Afml.Core.Session.SessionSummary' }
        $banner = ($out | Where-Object { $_ -is [System.Management.Automation.InformationRecord] }).MessageData.Message -join "`n"
        $s.Steps | Should -Be 5
        $s.Venue | Should -Be 'binance-live'
        $banner | Should -Match 'venue binance-live \(LIVE: dinero real\)'
        (Get-Content $s.RegistroPath).Count | Should -Be 6
    }
}
