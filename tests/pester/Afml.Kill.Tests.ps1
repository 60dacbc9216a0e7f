#Requires -Version 7.6
# kill -9 (issue 8): a real testnet session in a child pwsh against the standalone fake Binance (a child process on
# 127.0.0.1), killed with SIGKILL while it holds a position. Then Get-AfmlStatus must show it Stale with that
# position and Invoke-AfmlEmergency must flatten it from this shell; or a restart on the same training must adopt it.
# And the console: a session's Error-level lines are written as errors (red, stderr), never as warnings, and do not
# abort a caller running with $ErrorActionPreference = 'Stop' before the protocol has run to its end. Runs against the *built* module.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module Afml -Force -ErrorAction Stop
    $script:Module = (Get-Module Afml).Path

    $script:Fakes = [Collections.Generic.List[Diagnostics.Process]]::new()

    # A standalone fake Binance (2 candles per second) with its own account; returns its endpoint and credential.
    function script:Start-Fake {
        param([decimal] $Balance = 1000000)
        $fake = Start-FakeBinance -Speed 7200 -Balance $Balance
        $Fakes.Add($fake.Process)
        $fake
    }

    function script:Get-FakePositionRisk {
        param($Fake)
        $p = Invoke-FakeSigned $Fake GET '/fapi/v2/positionRisk' 'symbol=BTCUSDT'
        @($p | Where-Object symbol -eq 'BTCUSDT')[0]
    }

    # Starts a testnet session in a child pwsh on a fresh copy of the training, waits (bounded) until its status
    # shows an open position that the fake's account holds too, and kills the process with SIGKILL at once. A kill
    # that lands just as the policy closes leaves nothing to test on: then once more on a fresh copy (3 tries).
    # Returns the root and the fake's signed position after the kill.
    function script:New-KilledSession {
        param($Fake, [int] $Seconds = 120)
        for ($try = 1; $try -le 3; $try++) {
            $root = New-TrainingCopy
            $dir = Join-Path $root "$DemoId/produccion"
            $child = Start-SessionChild $Fake $root
            try {
                $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
                $killed = $false
                while (-not $killed -and [DateTime]::UtcNow -lt $deadline -and -not $child.Process.HasExited) {
                    $f = if (Test-Path $dir) { Get-ChildItem $dir -Filter 'sesion_*.status.json' | Select-Object -First 1 }
                    $st = $null
                    if ($f) { try { $st = Get-Content $f.FullName -Raw | ConvertFrom-Json } catch { } }
                    if ($st -and $st.state -eq 'Running' -and $st.position) {
                        $venue = [decimal](Get-FakePositionRisk $Fake).positionAmt
                        $signed = if ($st.position -eq 'long') { [decimal]$st.position_quantity } else { - [decimal]$st.position_quantity }
                        if ($venue -ne 0 -and [Math]::Abs($venue - $signed) -lt 0.0005) {
                            if ($IsWindows) { $child.Process.Kill() } else { & kill -9 $child.Process.Id }
                            $killed = $true
                        }
                    }
                    if (-not $killed) { Start-Sleep -Milliseconds 100 }
                }
                if (-not $killed) { throw "No open position within $Seconds s (child exited: $($child.Process.HasExited)). $(if ($child.Process.HasExited) { $child.Out.Result + $child.Err.Result })" }
                $child.Process.WaitForExit(30000) | Should -BeTrue
                $child.Out.Result | Should -Not -Match 'RETURNED' -Because 'SIGKILL ends the process mid-session'
            } finally {
                if (-not $child.Process.HasExited) { $child.Process.Kill($true) }
                $child.Process.Dispose()
            }
            $amount = [decimal](Get-FakePositionRisk $Fake).positionAmt
            if ($amount -ne 0) { return [pscustomobject]@{ Root = $root; Amount = $amount; Tries = $try } }
        }
        throw 'Three kills in a row landed as the policy closed its position.'
    }
}

AfterAll {
    foreach ($f in $script:Fakes) { Stop-FakeBinance $f }
}

Describe 'kill -9 with a position open (real session, standalone fake Binance)' -Skip:$IsWindows {
    It 'Get-AfmlStatus shows it Stale with the position; Invoke-AfmlEmergency flattens it from this shell' {
        $fake = Start-Fake
        $killed = New-KilledSession $fake
        $root = $killed.Root
        $amount = $killed.Amount

        $s = Get-AfmlStatus -TrainingRoot $root
        $s | Should -HaveCount 1
        $s.State | Should -Be 'Stale'
        $s.Position | Should -Be $(if ($amount -gt 0) { 'long' } else { 'short' })
        # The status holds the last step it wrote: a kill between an order and that write leaves the step before.
        $s.PositionQuantity | Should -BeGreaterThan 0

        $r = $s | Invoke-AfmlEmergency -Credential $fake.Credential -Reason 'pester kill -9' -Force -ErrorAction Stop
        $r.Mode | Should -Be 'Direct'
        $r.State | Should -Be 'FLAT'
        $r.ClosedQuantity | Should -Be ([Math]::Abs($amount)) -Because 'the protocol closes what the venue holds, not what the status last said'
        [decimal](Get-FakePositionRisk $fake).positionAmt | Should -Be 0
        $after = [decimal](Get-FakePositionRisk $fake).positionAmt
        $final = (Get-AfmlStatus -TrainingRoot $root -All).State
        Write-KillReport ("fault-suite: kill-9-then-Invoke-AfmlEmergency (Pester, real process) injected={7} (SIGKILL) position-at-kill={0} status-after-kill={1} emergency={2} closed={3} venue-position={4} open-unguarded={5} status-after={6}" -f
            $amount, $s.State, $r.State, $r.ClosedQuantity, $after, [int]($after -ne 0), $final, $killed.Tries)
        $after | Should -Be 0
        $final | Should -Be 'Stopped'
    }

    It 'a restart on the same training adopts the open position although its margin leaves less available than the capital' {
        # An account just above the demo's capital (10000 USDT, room for the fees of up to 3 tries): with the position open
        # its margin (and any loss) leaves less than the capital available; the capital check must count the position's
        # equity and adopt it.
        $fake = Start-Fake -Balance 10400
        $killed = New-KilledSession $fake
        $root = $killed.Root
        $amount = $killed.Amount
        $account = Invoke-FakeSigned $fake GET '/fapi/v2/account'
        $risk = Get-FakePositionRisk $fake
        # The case a check on the available balance refused: the position's margin (and loss) holds part of it.
        [double]$account.availableBalance | Should -BeLessThan 10000

        # The OS released the killed session's lock: the same training, account and symbol start again.
        $s = Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Endpoint $fake.Endpoint -Credential $fake.Credential -MaxSteps 1 -Quiet -WarningVariable w -WarningAction SilentlyContinue -ErrorAction Stop
        $side = if ($amount -gt 0) { 'long' } else { 'short' }
        $s.Steps | Should -Be 1
        $s.Reconciliations | Should -BeGreaterOrEqual 1
        "$w" | Should -Match "libro flat ≠ venue $side $([Math]::Abs($amount))" -Because 'the new session adopts the position before its first decision'
        $registros = @(Get-ChildItem (Join-Path $root "$DemoId/produccion") -Filter 'registro_*.csv' | Sort-Object Name)
        $registros | Should -HaveCount 2
        @(Import-Csv $registros[-1].FullName) | Should -HaveCount 1

        # Leave the account flat.
        if ([decimal](Get-FakePositionRisk $fake).positionAmt -ne 0) {
            (Invoke-AfmlEmergency -TrainId $DemoId -TrainingRoot $root -Credential $fake.Credential -Reason 'pester cleanup' -Force -ErrorAction Stop).State | Should -Be 'FLAT'
        }
        $after = [decimal](Get-FakePositionRisk $fake).positionAmt
        Write-KillReport ("fault-suite: kill-9-then-restart (Pester, real process) injected={7} (SIGKILL) position-at-kill={0} unrealized-pnl={1} wallet={2} available={3} capital=10000 adopted={4} venue-position-after-cleanup={5} open-unguarded={6}" -f
            $amount, $risk.unRealizedProfit, $account.totalWalletBalance, $account.availableBalance, $s.Reconciliations, $after, [int]($after -ne 0), $killed.Tries)
        $after | Should -Be 0
    }
}

Describe 'A session''s error lines on the console' {
    It 'are written as errors (stderr, not WARNING:) and do not abort a caller with $ErrorActionPreference = Stop' {
        # A replay whose drawdown limit the demo policy crosses quickly: the emergency protocol runs and logs at
        # Error level. The child's stderr is redirected, so the host's error lines land there.
        $root = New-TrainingCopy
        $cfg = Join-Path $root "$DemoId/config_metadata.yaml"
        (Get-Content $cfg) -replace '^(\s*max_drawdown_permitido:).*$', '$1 0.01' | Set-Content $cfg
        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$Module'
try { `$s = Start-AfmlSession -TrainId '$DemoId' -TrainingRoot '$root' -Replay '$Candles' -MaxSteps 300 -Quiet; 'RETURNED ' + `$s.StopReason }
catch { 'CAUGHT ' + `$_.FullyQualifiedErrorId + ' ' + `$_.TargetObject.StopReason }
'AFTER'
"@
        $r = Invoke-ChildPwsh $script
        $stdout = $r.StdOut
        $stderr = $r.StdErr
        $stderr | Should -Match 'PROTOCOLO DE EMERGENCIA' -Because "stdout: $stdout"
        $stdout | Should -Not -Match 'WARNING: .*PROTOCOLO DE EMERGENCIA'
        # The protocol ran to its end, whatever the caller's error preference: recorded (a replay halts itself but
        # writes no durable latch; only real venues do).
        Get-ChildItem (Join-Path $root "$DemoId/produccion") -Filter 'emergencias_*.csv' | Should -Not -BeNullOrEmpty
        Test-Path (Join-Path $root "$DemoId/produccion/afml_halted.json") | Should -BeFalse
        (Get-Content (Get-ChildItem (Join-Path $root "$DemoId/produccion") -Filter '*.status.json')[0].FullName -Raw | ConvertFrom-Json).state | Should -Be 'Stopped'
        # The session's outcome is the cmdlet's result, not a red line: once the protocol has run to its end, the
        # summary and then the SessionHalted error (exit codes), which this caller's 'Stop' preference turns into an
        # exception carrying the summary.
        $stdout | Should -Match 'CAUGHT SessionHalted,Afml.PowerShell.Commands.StartAfmlSessionCommand Emergency'
        $stdout | Should -Match 'AFTER'
    }
}
