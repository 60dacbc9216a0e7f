#Requires -Version 7.6
# Issue 10, layer 2, with a real kill -9: a testnet session in a child pwsh against the standalone fake Binance is
# SIGKILLed right after a fill, while the protective stop it placed rests on the (fake) exchange. Then the price crashes
# (the fake bends its path on a stdin command): the exchange-resident stop closes the position with nobody running, the
# account ends flat with its equity within the configured slippage of the drawdown limit, and a restart finds the
# training HALTED. Runs against the *built* module.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module Afml -Force -ErrorAction Stop
    $script:Children = [Collections.Generic.List[Diagnostics.Process]]::new()

    # The standalone fake with its stdin open (for 'bend'), 20 in-progress updates per candle, fees and stop slippage as
    # the demo training's config (0.1 % each), 1 candle per second.
    function script:Start-BendableFake {
        $fake = Start-FakeBinance -Stdin -Extra '--updates', '20', '--taker', '0.001', '--stop-slippage', '0.001', '--commands', 'stdin'
        $Children.Add($fake.Process)
        $fake
    }

    function script:Get-FakeAmount {
        param($Fake)
        $p = Invoke-FakeSigned $Fake GET '/fapi/v2/positionRisk' 'symbol=BTCUSDT'
        $row = @($p | Where-Object symbol -eq 'BTCUSDT')[0]
        [decimal]::Parse([string]$row.positionAmt, [Globalization.CultureInfo]::InvariantCulture)
    }
}

AfterAll {
    foreach ($p in $script:Children) {
        if (-not $p.HasExited) { $p.Kill($true); $p.WaitForExit(10000) | Out-Null }
        $p.Dispose()
    }
}

Describe 'kill -9 right after a fill, then a crash (real process, standalone fake Binance)' -Skip:$IsWindows {
    It 'the exchange-resident stop closes the position; equity ends within the slippage of the limit; a restart is HALTED' {
        $fake = Start-BendableFake
        $root = New-TrainingCopy
        $dir = Join-Path $root "$DemoId/produccion"
        $session = Start-SessionChild $fake $root
        $child = $session.Process
        $Children.Add($child)
        $out = $session.Out; $err = $session.Err

        # Right after a fill: the status shows a position the fake holds too, and the stop the session placed for it.
        $deadline = [DateTime]::UtcNow.AddSeconds(120)
        $st = $null; $amount = [decimal]0; $guard = $null; $killed = $false; $seen = ''
        while ([DateTime]::UtcNow -lt $deadline -and -not $child.HasExited) {
            $f = if (Test-Path $dir) { Get-ChildItem $dir -Filter 'sesion_*.status.json' | Select-Object -First 1 }
            $st = $null
            if ($f) { try { $st = Get-Content $f.FullName -Raw | ConvertFrom-Json } catch { } }
            $gp = Join-Path $dir 'afml_stop.json'
            $guard = if (Test-Path $gp) { try { Get-Content $gp -Raw | ConvertFrom-Json } catch { } }
            if ($st -and $st.state -eq 'Running' -and $st.position -and $guard -and $guard.state -eq 'resting') {
                $amount = Get-FakeAmount $fake
                $open = @(Invoke-FakeSigned $fake GET '/fapi/v1/openAlgoOrders' 'symbol=BTCUSDT' | ForEach-Object { $_ })
                if ($amount -ne 0 -and $open.Count -eq 1 -and $open[0].clientAlgoId -eq $guard.client_algo_id) { & kill -9 $child.Id; $killed = $true; break }
                $seen = "amount=$amount open=$($open.Count) $($open | ConvertTo-Json -Compress -Depth 3) guard=$($guard | ConvertTo-Json -Compress)"
            } else { $seen = "status=$($st | ConvertTo-Json -Compress) guard=$($guard | ConvertTo-Json -Compress)" }
            Start-Sleep -Milliseconds 50
        }
        if (-not $killed) { $child.Kill($true); throw "No position with its stop resting within 120 s (child exited: $($child.HasExited)); last seen: $seen" }
        $child.WaitForExit(30000) | Should -BeTrue
        $out.Result | Should -Not -Match 'RETURNED' -Because "SIGKILL ends the process mid-session $($err.Result)"
        $amount | Should -Not -Be 0
        $trigger = [decimal]::Parse([string]$guard.trigger_price, [Globalization.CultureInfo]::InvariantCulture)

        # Nobody runs Afml now. The market falls (or, against a short, rises) 30 % over 40 candles (past any stop the demo's leverage gives, whatever the path ahead does), 20 updates each.
        $bend = if ($amount -gt 0) { '-0.30' } else { '0.30' }
        $fake.Process.StandardInput.WriteLine("bend $bend 40")
        $fake.Process.StandardInput.Flush()
        $deadline = [DateTime]::UtcNow.AddSeconds(90)
        while ([DateTime]::UtcNow -lt $deadline -and (Get-FakeAmount $fake) -ne 0) { Start-Sleep -Milliseconds 200 }
        $after = Get-FakeAmount $fake
        $algo = Invoke-FakeSigned $fake GET '/fapi/v1/algoOrder' "symbol=BTCUSDT&clientAlgoId=$($guard.client_algo_id)"
        $account = Invoke-FakeSigned $fake GET '/fapi/v2/account'
        $wallet = [decimal]::Parse([string]$account.totalWalletBalance, [Globalization.CultureInfo]::InvariantCulture)

        # The limit the stop was placed for: the running peak the guard file records for it (the session writes a row,
        # then moves its stop: a kill between the two leaves the stop of the row before, so the registro's highest
        # equity can be one row ahead of the resting stop) less max_drawdown_permitido; the allowance: the configured
        # slippage (0.1 %) of the position's notional at the stop. (That peak can sit above every row's equity: the
        # monitor's drawdown checks at marks between candles raise the book's peak too.)
        $rows = @(Get-ChildItem $dir -Filter 'registro_*.csv' | ForEach-Object { Import-Csv $_.FullName })
        $trades = @($rows | Where-Object { $_.resultado -eq 'True' -and $_.operacion -match '^(abrir|aumento|reduccion|cierre)' }).Count
        $guard.peak_equity | Should -Not -BeNullOrEmpty -Because 'the guard file records the peak its stop was placed for'
        $peak = [decimal][double]$guard.peak_equity
        $peak | Should -BeGreaterOrEqual 10000
        $wallet0 = 1000000 - 10000  # the account holds more than the capital; the session trades 10000 of it
        $limit = $peak * (1 - 0.2595079825048034)
        $notional = [Math]::Abs($amount) * $trigger
        $equity = $wallet - $wallet0
        $margin = 0.001 * $notional
        Write-KillReport ("fault-suite: kill-9-then-crash (Pester, real process) injected=1 (SIGKILL after a fill) position-at-kill={0} stop={1} {2} closed by the exchange stop ({3}) venue-position={4} equity={5:F2} limit={6:F2} slippage-margin={7:F2} open-unguarded={8} session-trades-before-kill={9}" -f
            $amount, $guard.side, $trigger, [int]($algo.algoStatus -eq 'FINISHED'), $after, $equity, $limit, $margin, [int]($after -ne 0), $trades)
        $after | Should -Be 0
        $algo.algoStatus | Should -Be 'FINISHED'
        @(Invoke-FakeSigned $fake GET '/fapi/v1/openAlgoOrders' 'symbol=BTCUSDT' | ForEach-Object { $_ }).Count | Should -Be 0
        # Never worse than the limit by more than the slippage margin. And when the kill came right after the session's
        # first fill, the venue's equity is the book's (later trades follow the training env's book, whose reductions
        # differ from the venue's): then it is also no better than the limit by more than the margin (the stop is tight).
        $equity | Should -BeGreaterOrEqual ($limit - $margin)
        if ($trades -eq 1) { $equity | Should -BeLessOrEqual ($limit + $margin) }

        # A restart of the training finds the stop triggered while it was dead: HALTED, nothing sent.
        { Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Endpoint $fake.Endpoint -Credential $fake.Credential -MaxSteps 1 -Quiet -ErrorAction Stop } |
            Should -Throw -ErrorId 'TrainingHalted,Afml.PowerShell.Commands.StartAfmlSessionCommand'
        (Get-Content (Join-Path $dir 'afml_halted.json') -Raw | ConvertFrom-Json).reason | Should -Match '^stop_proteccion'
        Get-FakeAmount $fake | Should -Be 0
    }
}

Describe 'a close-all stop placed by hand (guard3)' {
    It 'refuses the start with ErrorId ForeignProtectiveStop naming the order, and sends nothing' {
        $fake = Start-FakeBinance
        $Children.Add($fake.Process)
        $root = New-TrainingCopy
        $price = [decimal]::Parse([string](Invoke-RestMethod "$($fake.Endpoint)/fapi/v1/premiumIndex?symbol=BTCUSDT" -TimeoutSec 10).markPrice, [Globalization.CultureInfo]::InvariantCulture)
        $trigger = [Math]::Round($price / 2, 1).ToString([Globalization.CultureInfo]::InvariantCulture)
        $placed = Invoke-FakeSigned $fake POST '/fapi/v1/algoOrder' "algoType=CONDITIONAL&symbol=BTCUSDT&side=SELL&type=STOP_MARKET&triggerPrice=$trigger&closePosition=true&workingType=MARK_PRICE&clientAlgoId=by-hand-sl-1"
        $placed.algoStatus | Should -Be 'NEW'

        $err = $null
        try { Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Endpoint $fake.Endpoint -Credential $fake.Credential -MaxSteps 1 -Quiet -ErrorAction Stop | Out-Null }
        catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -Be 'ForeignProtectiveStop,Afml.PowerShell.Commands.StartAfmlSessionCommand'
        $err.Exception.Message | Should -Match 'by-hand-sl-1'
        $err.Exception.Message | Should -Match "$($placed.algoId)"
        $err.Exception.Message | Should -Not -Match ([regex]::Escape($fake.Secret))
        $open = @(Invoke-FakeSigned $fake GET '/fapi/v1/openAlgoOrders' 'symbol=BTCUSDT' | ForEach-Object { $_ })
        $open.Count | Should -Be 1 # still the operator's, untouched
        @(Invoke-FakeSigned $fake GET '/fapi/v1/openOrders' 'symbol=BTCUSDT' | ForEach-Object { $_ }).Count | Should -Be 0
    }
}
