#Requires -Version 7.6
# The drawdown guard in a replay: -GuardIntraCandle simulates it on each candle's high and low; without it a replay is
# close-only, as training. Runs against the *built* module.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module Afml -Force -ErrorAction Stop
}

Describe 'Start-AfmlSession -GuardIntraCandle' {
    It 'stops the demo inside a candle, no later than the close-only check does, at the stop price' {
        # The demo replay ends in the emergency protocol by design (its drawdown reaches the training's limit).
        # An emergency end writes SessionHalted after the summary (the exit-code contract): collected, not thrown.
        $plain = Start-AfmlSession -TrainId $DemoId -TrainingRoot (New-TrainingCopy) -Replay $Candles -From '2025-01-01' -Quiet -ErrorAction SilentlyContinue -ErrorVariable plainErr
        $guarded = Start-AfmlSession -TrainId $DemoId -TrainingRoot (New-TrainingCopy) -Replay $Candles -From '2025-01-01' -GuardIntraCandle -Quiet -ErrorAction SilentlyContinue -ErrorVariable guardedErr
        $plainErr[-1].FullyQualifiedErrorId | Should -Match '^SessionHalted'
        $guardedErr[-1].FullyQualifiedErrorId | Should -Match '^SessionHalted'
        $plain.StopReason | Should -Be 'Emergency'
        $guarded.StopReason | Should -Be 'Emergency'
        $guarded.Steps | Should -BeLessOrEqual $plain.Steps
        $last = Import-Csv $guarded.RegistroPath | Select-Object -Last 1
        $last.tipo_accion | Should -Be 'emergencia'
        $last.error | Should -Match 'monitor entre velas'
        $last.error | Should -Match 'precio de stop'
        (Import-Csv $plain.RegistroPath | Select-Object -Last 1).error | Should -Not -Match 'monitor entre velas'
    }

    It 'is a replay switch: not offered with -Paper' {
        { Start-AfmlSession -TrainId $DemoId -TrainingRoot (New-TrainingCopy) -Paper -GuardIntraCandle -WhatIf } |
            Should -Throw -ErrorId 'AmbiguousParameterSet,Afml.PowerShell.Commands.StartAfmlSessionCommand'
        (Get-Help Start-AfmlSession -Parameter GuardIntraCandle).description.Text | Should -Match 'high and low'
    }
}
