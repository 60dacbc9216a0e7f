#Requires -Version 7.6
# How Start-AfmlSession ends: -FlattenOnStop, and a cmdlet that fails while its session runs (the session must end
# with it, through the emergency protocol, never left running unattended). Runs against the *built* module.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module Afml -Force -ErrorAction Stop

    function script:Get-StatusFile {
        param([string] $Root)
        $dir = Join-Path $Root "$DemoId/produccion"
        if (Test-Path $dir) { Get-ChildItem $dir -Filter '*.status.json' | Select-Object -First 1 }
    }

    # Waits until the session under $Root has made a decision (its status says Running at step >= 1).
    function script:Wait-SessionStepping {
        param([string] $Root, $Child, [int] $Seconds = 90)
        $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
        while ([DateTime]::UtcNow -lt $deadline -and -not $Child.Process.HasExited) {
            $f = Get-StatusFile $Root
            if ($f) {
                try { $st = Get-Content $f.FullName -Raw | ConvertFrom-Json; if ($st.state -eq 'Running' -and $st.step -ge 1) { return $true } } catch { }
            }
            Start-Sleep -Milliseconds 200
        }
        $false
    }
}

Describe 'Start-AfmlSession ends' {
    It '-FlattenOnStop closes the position a clean end would leave open' {
        # Find a -MaxSteps at which the demo policy holds a position, then end there with -FlattenOnStop.
        $steps = $null
        foreach ($n in 20..60) {
            $probe = Start-AfmlSession -TrainId $DemoId -TrainingRoot (New-TrainingCopy) -Replay $Candles -From '2025-01-01' -MaxSteps $n -Quiet
            if ($probe.PositionOpen) { $steps = $n; break }
        }
        $steps | Should -Not -BeNullOrEmpty -Because 'the demo policy opens a position within 60 hourly steps'

        $root = New-TrainingCopy
        $s = Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Replay $Candles -From '2025-01-01' -MaxSteps $steps -FlattenOnStop -Quiet
        $s.StopReason | Should -Be 'MaxSteps'
        $s.PositionOpen | Should -BeFalse
        $last = Import-Csv $s.RegistroPath | Select-Object -Last 1
        $last.tipo_accion | Should -Be 'cierre_final'
        $last.posicion_abierta | Should -Be 'False'
        (Get-Content (Get-StatusFile $root).FullName -Raw | ConvertFrom-Json).state | Should -Be 'Stopped'
    }

    It 'a cmdlet that cannot write to its host ends its session through the protocol; the status is not Running' {
        # A child pwsh -NonInteractive where the first information line asks for an answer: the cmdlet fails on
        # its first write while the session runs. The session must end with it (emergency protocol, final status).
        $root = New-TrainingCopy
        $module = (Get-Module Afml).Path
        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$module'
try { Start-AfmlSession -TrainId '$DemoId' -TrainingRoot '$root' -Replay '$Candles' -From '2023-06-01' -MaxSteps 15000 -InformationAction Inquire | Out-Null; 'RETURNED' }
catch { 'ERROR: ' + `$_.Exception.GetType().Name + ' | ' + `$_.Exception.Message }
"@
        $text = (Invoke-ChildPwsh $script -Because 'the session must not outlive its cmdlet').StdOut
        $text | Should -Match 'ERROR: '
        $text | Should -Not -Match 'RETURNED'
        $status = Get-Content (Get-StatusFile $root).FullName -Raw | ConvertFrom-Json
        $status.state | Should -Be 'Stopped'
        $status.stop_reason | Should -Match 'Emergency'
        $status.trading_state | Should -Be 'HALTED'
        $registro = Get-ChildItem (Join-Path $root "$DemoId/produccion") -Filter 'registro_*.csv' | Select-Object -First 1
        (Import-Csv $registro.FullName).Count | Should -BeLessThan 15000 -Because 'the loop stopped when its cmdlet failed'
        Get-ChildItem (Join-Path $root "$DemoId/produccion") -Filter 'emergencias_*.csv' | Should -Not -BeNullOrEmpty
    }
}

Describe 'Start-AfmlSession ends on signals (fake venue, real process)' -Skip:$IsWindows {
    BeforeAll {
        # 1 candle per second: a session waits for its candles, so a signal always finds it running.
        $fake = Start-FakeBinance
        $script:Fake = $fake.Process
        $script:Endpoint = $fake.Endpoint
        $script:FakeKey = $fake.Key
        $script:FakeSecret = $fake.Secret
        $script:Credential = $fake.Credential
        $script:Module = (Get-Module Afml).Path
    }

    AfterAll {
        Stop-FakeBinance $script:Fake
    }

    It '<Signal> stops a testnet session cleanly: final status Stopped, statistics or the open position named' -TestCases @(
        @{ Signal = 'TERM'; Reason = 'Signal' }
        @{ Signal = 'INT'; Reason = 'Cancelled' }
    ) {
        param($Signal, $Reason)
        $root = New-TrainingCopy
        $script = @"
Import-Module '$Module'
`$c = [pscredential]::new('$FakeKey', (ConvertTo-SecureString '$FakeSecret' -AsPlainText -Force))
`$s = Start-AfmlSession -TrainId '$DemoId' -TrainingRoot '$root' -Endpoint '$Endpoint' -Credential `$c -MaxSteps 500 -InformationAction SilentlyContinue
'SUMMARY: ' + `$s.StopReason
"@
        $child = Start-ChildPwsh $script
        try {
            Wait-SessionStepping $root $child | Should -BeTrue -Because 'the session must be trading before the signal'
            & kill "-$Signal" $child.Process.Id
            $child.Process.WaitForExit(60000) | Should -BeTrue -Because 'a signalled session ends'
            $text = $child.Out.Result + $child.Err.Result
        } finally {
            if (-not $child.Process.HasExited) { $child.Process.Kill($true) }
            $child.Process.Dispose()
        }
        $status = Get-Content (Get-StatusFile $root).FullName -Raw | ConvertFrom-Json
        $status.state | Should -Be 'Stopped' -Because $text
        $status.stop_reason | Should -Match "^$Reason"
        $status.trading_state | Should -Be 'ACTIVE'
        if ($Signal -eq 'TERM') { $text | Should -Match "SUMMARY: Signal" }
        else { $text | Should -Match 'ESTADÍSTICAS' -Because 'Ctrl+C still prints the statistics' }
        if ($status.position) { $text | Should -Match 'Invoke-AfmlEmergency -TrainId' }
    }
}
