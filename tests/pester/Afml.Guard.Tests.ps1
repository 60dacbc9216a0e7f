#Requires -Version 7.6
# The guard (issue 8): Reset-AfmlEmergency and the HALTED latch, Invoke-AfmlEmergency on a dead session against the
# standalone fake Binance (a child process on 127.0.0.1), on a running one with -NoWait / the acknowledgement wait,
# -WhatIf that changes nothing, and Get-AfmlStatus's Stale / root / TrainId checks. Runs against the *built* module.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module Afml -Force -ErrorAction Stop
    $script:Invoke = 'Afml.PowerShell.Commands.InvokeAfmlEmergencyCommand'
    $script:Status = 'Afml.PowerShell.Commands.GetAfmlStatusCommand'
    $script:Reset = 'Afml.PowerShell.Commands.ResetAfmlEmergencyCommand'
    $script:Start = 'Afml.PowerShell.Commands.StartAfmlSessionCommand'

    $fake = Start-FakeBinance
    $script:FakeServer = $fake   # for TestSupport's Invoke-FakeSigned
    $script:Fake = $fake.Process
    $script:Endpoint = $fake.Endpoint
    $script:FakeKey = $fake.Key
    $script:FakeSecret = $fake.Secret
    $script:Credential = $fake.Credential

    function script:Get-FakePosition {
        $p = Invoke-FakeSigned $FakeServer GET '/fapi/v2/positionRisk' 'symbol=BTCUSDT'
        [decimal](@($p | Where-Object symbol -eq 'BTCUSDT')[0].positionAmt)
    }

    # A status file as a session leaves it when its process is killed (-9): still Running, a PID that is gone.
    function script:New-DeadSessionStatus {
        param([string] $Root, [string] $Id = '20250101_000000', [string] $Position = 'long', [double] $Quantity = 0.01)
        $gone = [Diagnostics.Process]::Start($Dotnet, '--version')
        $gone.WaitForExit()
        $dir = New-Item -ItemType Directory -Force (Join-Path $Root "$DemoId/produccion")
        $now = [DateTimeOffset]::UtcNow
        $path = Join-Path $dir "sesion_$Id.status.json"
        [ordered]@{
            session_id = $Id; train_id = $DemoId; venue = 'binance-testnet'; symbol = 'BTCUSDT'; process_id = $gone.Id
            process_started_at = $now.AddHours(-2).ToString('o'); heartbeat_at = $now.AddMinutes(-30).ToString('o'); heartbeat_seconds = 5
            state = 'Running'; trading_state = 'ACTIVE'; started_at = $now.AddHours(-2).ToString('o'); updated_at = $now.AddMinutes(-30).ToString('o')
            step = 12; price = 94000.5; equity = 10000; balance = 10000; position = $Position; position_quantity = $Quantity
            registro_path = (Join-Path $dir "registro_$Id.csv"); venue_kind = 'Testnet'; endpoint = "$Endpoint/"
        } | ConvertTo-Json | Set-Content $path
        $path
    }

    # A status as a live session in this very process writes it.
    function script:New-RunningSessionStatus {
        param([string] $Root, [string] $Id = '20250101_010000')
        $dir = New-Item -ItemType Directory -Force (Join-Path $Root "$DemoId/produccion")
        $now = [DateTimeOffset]::UtcNow
        $path = Join-Path $dir "sesion_$Id.status.json"
        [ordered]@{
            session_id = $Id; train_id = $DemoId; venue = 'simulated'; symbol = 'BTCUSDT'; process_id = $PID
            process_started_at = ([DateTimeOffset](Get-Process -Id $PID).StartTime).ToUniversalTime().ToString('o'); heartbeat_at = $now.ToString('o'); heartbeat_seconds = 5
            state = 'Running'; trading_state = 'ACTIVE'; started_at = $now.ToString('o'); updated_at = $now.ToString('o')
            registro_path = (Join-Path $dir "registro_$Id.csv"); venue_kind = 'Replay'
        } | ConvertTo-Json | Set-Content $path
        $path
    }
}

AfterAll {
    Stop-FakeBinance $script:Fake
}

Describe 'Get-AfmlStatus (guard)' {
    It 'is an error naming a training root that does not exist' {
        { Get-AfmlStatus -TrainingRoot (Join-Path $TestDrive 'typo') -ErrorAction Stop } | Should -Throw -ErrorId "TrainingRootNotFound,$Status"
    }
    It 'refuses a TrainId that leaves the root' {
        $root = New-TrainingCopy
        foreach ($bad in @('../x', '/etc', '..')) {
            { Get-AfmlStatus -TrainingRoot $root -TrainId $bad -ErrorAction Stop } | Should -Throw -ErrorId "TrainIdInvalid,$Status"
            { Invoke-AfmlEmergency -TrainingRoot $root -TrainId $bad -Force -ErrorAction Stop } | Should -Throw -ErrorId "TrainIdInvalid,$Invoke"
        }
    }
    It 'shows a session whose process died as Stale, with the position it left, and skips an unreadable file with a warning' {
        $root = New-TrainingCopy
        New-DeadSessionStatus $root | Out-Null
        Set-Content (Join-Path $root "$DemoId/produccion/sesion_broken.status.json") '{ not json'
        $s = Get-AfmlStatus -TrainingRoot $root -WarningVariable w -WarningAction SilentlyContinue
        $s | Should -HaveCount 1
        $s.State | Should -Be 'Stale'
        $s.Position | Should -Be 'long'
        $s.Endpoint | Should -Be "$Endpoint/"
        $s.TrainingRoot | Should -Be $root
        "$w" | Should -Match 'sesion_broken'
    }
}

Describe 'Invoke-AfmlEmergency on a dead session (standalone fake Binance)' {
    It 'with -WhatIf -Force changes nothing' {
        $root = New-TrainingCopy
        Invoke-FakeSigned $FakeServer POST '/fapi/v1/order' 'symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&newClientOrderId=pester-whatif-1' | Out-Null
        try {
            $path = New-DeadSessionStatus $root
            $before = Get-Content $path -Raw
            $files = (Get-ChildItem (Join-Path $root "$DemoId/produccion")).Name
            Invoke-AfmlEmergency -TrainId $DemoId -TrainingRoot $root -Credential $Credential -WhatIf -Force | Should -BeNullOrEmpty
            Get-Content $path -Raw | Should -Be $before
            (Get-ChildItem (Join-Path $root "$DemoId/produccion")).Name | Should -Be $files
            Get-FakePosition | Should -Be 0.01
        } finally {
            Invoke-FakeSigned $FakeServer POST '/fapi/v1/order' 'symbol=BTCUSDT&side=SELL&type=MARKET&quantity=0.01&reduceOnly=true&newClientOrderId=pester-whatif-2' | Out-Null
        }
        Get-FakePosition | Should -Be 0
    }

    It 'closes the position from this shell when piped from Get-AfmlStatus, says what it closed, and halts the training' {
        $root = New-TrainingCopy
        Invoke-FakeSigned $FakeServer POST '/fapi/v1/order' 'symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&newClientOrderId=pester-dead-1' | Out-Null
        Get-FakePosition | Should -Be 0.01
        $path = New-DeadSessionStatus $root
        Set-Content (Join-Path $root "$DemoId/produccion/sesion_broken.status.json") '{ not json'

        $r = Get-AfmlStatus -TrainingRoot $root -WarningAction SilentlyContinue |
            Invoke-AfmlEmergency -Credential $Credential -Reason 'pester kill -9' -Force -WarningVariable w -WarningAction SilentlyContinue -ErrorAction Stop

        $r.Mode | Should -Be 'Direct'
        $r.State | Should -Be 'FLAT'
        $r.ClosedQuantity | Should -Be 0.01
        $r.SessionId | Should -Be '20250101_000000'
        "$w" | Should -Match 'sesion_broken'
        Get-FakePosition | Should -Be 0
        $after = Get-Content $path -Raw | ConvertFrom-Json
        $after.state | Should -Be 'Stopped'
        $after.emergency_state | Should -Be 'FLAT'
        (Get-Content $r.EmergencyPath)[1] | Should -Match 'pester kill -9'
        Test-Path (Join-Path $root "$DemoId/produccion/afml_halted.json") | Should -BeTrue
        # The latch holds across processes: a new session is refused until Reset-AfmlEmergency.
        { Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Replay $Candles -MaxSteps 1 -Quiet } | Should -Throw -ErrorId "TrainingHalted,$Start"
    }
}

Describe 'Invoke-AfmlEmergency on a running session' {
    It 'returns at once with -NoWait, the request written for the session' {
        $root = New-TrainingCopy
        $path = New-RunningSessionStatus $root
        $r = Invoke-AfmlEmergency -TrainId $DemoId -TrainingRoot $root -Reason 'pester nowait' -NoWait -Force
        $r.Mode | Should -Be 'Requested'
        $r.State | Should -BeNullOrEmpty
        $control = Get-Content ($path -replace '\.status\.json$', '.control.json') -Raw | ConvertFrom-Json
        $control.Reason | Should -Be 'pester nowait'
        $control.Id | Should -Be $r.RequestId
    }
    It 'waits for the acknowledgement and says so when none comes within -Timeout' {
        $root = New-TrainingCopy
        New-RunningSessionStatus $root | Out-Null
        { Invoke-AfmlEmergency -TrainId $DemoId -TrainingRoot $root -Timeout '00:00:01' -Force -ErrorAction Stop } |
            Should -Throw -ErrorId "EmergencyNotAcknowledged,$Invoke"
    }
    It 'returns the session''s acknowledgement as the outcome' {
        $root = New-TrainingCopy
        $path = New-RunningSessionStatus $root
        # Play the session: take the request and answer it, as TradingSession does.
        $job = Start-ThreadJob -ArgumentList $path -ScriptBlock {
            param($p)
            $control = $p -replace '\.status\.json$', '.control.json'
            for ($i = 0; $i -lt 200 -and -not (Test-Path $control); $i++) { Start-Sleep -Milliseconds 50 }
            $req = Get-Content $control -Raw | ConvertFrom-Json
            @{ RequestId = $req.Id; Command = 'emergency'; SessionId = '20250101_010000'; AcknowledgedAt = [DateTimeOffset]::UtcNow.ToString('o')
               State = 'FLAT'; PositionsClosed = 1; OrdersCancelled = 0; StillOpen = ''; Problems = @(); ClosedQuantity = 0.02 } | ConvertTo-Json | Set-Content ($p -replace '\.status\.json$', '.ack.json')
        }
        try {
            $r = Invoke-AfmlEmergency -TrainId $DemoId -TrainingRoot $root -Timeout '00:00:20' -Force
        } finally { $job | Wait-Job -Timeout 30 | Remove-Job -Force }
        $r.Mode | Should -Be 'Acknowledged'
        $r.State | Should -Be 'FLAT'
        $r.PositionsClosed | Should -Be 1
        $r.ClosedQuantity | Should -Be 0.02 -Because 'the session says what its close filled, as a Direct emergency does'
    }
}

Describe 'Invoke-AfmlEmergency''s own lines' {
    It 'failed attempts and EMERGENCY_INCOMPLETE are error lines (stderr), not warnings' {
        $root = New-TrainingCopy
        $path = New-DeadSessionStatus $root
        # The venue the dead session names does not answer (nothing listens on port 9).
        $json = Get-Content $path -Raw | ConvertFrom-Json
        $json.endpoint = 'http://127.0.0.1:9/'
        $json | ConvertTo-Json | Set-Content $path
        $module = (Get-Module Afml).Path
        $script = @"
Import-Module '$module'
`$c = [pscredential]::new('$FakeKey', (ConvertTo-SecureString '$FakeSecret' -AsPlainText -Force))
`$r = Invoke-AfmlEmergency -TrainId '$DemoId' -TrainingRoot '$root' -Credential `$c -Force -RetryFor 00:00:02
'RESULT ' + `$r.State
"@
        $r = Invoke-ChildPwsh $script
        $stdout = $r.StdOut
        $stderr = $r.StdErr
        $stderr | Should -Match 'Emergencia ' -Because "stdout: $stdout"
        $stderr | Should -Match 'EMERGENCY_INCOMPLETE'
        $stdout | Should -Not -Match 'WARNING: Emergencia'
        $stdout | Should -Not -Match 'WARNING: EMERGENCY_INCOMPLETE'
        $stdout | Should -Match 'RESULT EMERGENCY_INCOMPLETE'
    }
}

Describe 'Reset-AfmlEmergency' {
    BeforeAll {
        function script:New-HaltedTraining {
            $root = New-TrainingCopy
            $cfg = Join-Path $root "$DemoId/config_metadata.yaml"
            (Get-Content $cfg) -replace '^(\s*max_drawdown_permitido:).*$', '$1 0.01' | Set-Content $cfg
            $s = Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Replay $Candles -MaxSteps 300 -Quiet -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
            # A replay that hits its limit halts itself but latches nothing (only real venues do)...
            $s.StopReason | Should -Be 'Emergency'
            Test-Path (Join-Path $root "$DemoId/produccion/afml_halted.json") | Should -BeFalse
            # ...so the latch a testnet/live emergency leaves is laid here as the engine writes it.
            $latch = [ordered]@{ halted_at = '2026-12-02T10:00:00+00:00'; reason = 'max_drawdown_excedido: drawdown 26.22% >= límite 25.95%'; train_id = $DemoId; emergency_state = 'FLAT' }
            $latch | ConvertTo-Json | Set-Content (Join-Path $root "$DemoId/produccion/afml_halted.json")
            $root
        }
    }
    It 'changes nothing with -WhatIf, even with -Force' {
        $root = New-HaltedTraining
        Reset-AfmlEmergency -TrainId $DemoId -TrainingRoot $root -WhatIf -Force | Should -BeNullOrEmpty
        Test-Path (Join-Path $root "$DemoId/produccion/afml_halted.json") | Should -BeTrue
    }
    It 'clears the latch, returns when and why it was halted, and a new session may start' {
        $root = New-HaltedTraining
        { Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Replay $Candles -MaxSteps 1 -Quiet } | Should -Throw -ErrorId "TrainingHalted,$Start"
        $h = Reset-AfmlEmergency -TrainId $DemoId -TrainingRoot $root -Force
        $h.Reason | Should -Match 'max_drawdown_excedido'
        $h.EmergencyState | Should -Be 'FLAT'
        $h.HaltedAt | Should -BeOfType [DateTimeOffset]
        Test-Path (Join-Path $root "$DemoId/produccion/afml_halted.json") | Should -BeFalse
        (Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Replay $Candles -MaxSteps 1 -Quiet).Steps | Should -Be 1
    }
    It 'warns and changes nothing on a training that is not halted' {
        $root = New-TrainingCopy
        Reset-AfmlEmergency -TrainId $DemoId -TrainingRoot $root -Force -WarningVariable w -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        "$w" | Should -Match 'not halted'
    }
    It 'refuses a TrainId outside the root' {
        $root = New-TrainingCopy
        { Reset-AfmlEmergency -TrainId '../x' -TrainingRoot $root -Force -ErrorAction Stop } | Should -Throw -ErrorId "TrainIdInvalid,$Reset"
    }
}
