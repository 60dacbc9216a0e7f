#Requires -Version 7.6
# Issue 13 through the cmdlets: bad inputs are ErrorRecords with the engine's stable id, never a bare .NET exception,
# and Test-AfmlTraining reports a broken scaler instead of throwing.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module Afml -Force -ErrorAction Stop
}

Describe 'Validation at load, through the cmdlets' {
    It 'Test-AfmlTraining returns its report for a scaler_train.json holding null; Start and Get name ScalerInvalid' {
        $root = New-TrainingCopy
        Set-Content (Join-Path $root "$DemoId/scaler_train.json") 'null'
        $report = Test-AfmlTraining -TrainId $DemoId -TrainingRoot $root -ErrorAction Stop
        $report.Passed | Should -BeFalse
        ($report.Checks | Where-Object Name -EQ 'Scaler').ErrorId | Should -Be 'ScalerInvalid'
        { Get-AfmlTraining -TrainId $DemoId -TrainingRoot $root -ErrorAction Stop } |
            Should -Throw -ErrorId 'ScalerInvalid,Afml.PowerShell.Commands.GetAfmlTrainingCommand'
        { Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Replay $Candles } |
            Should -Throw -ErrorId 'ScalerInvalid,Afml.PowerShell.Commands.StartAfmlSessionCommand'
        Join-Path $root "$DemoId/produccion" | Should -Not -Exist
    }
    It 'a directory as -Replay or as a registro is named as a directory' {
        $root = New-TrainingCopy
        { Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Replay $TestDrive } |
            Should -Throw -ErrorId 'CandleFileIsDirectory,Afml.PowerShell.Commands.StartAfmlSessionCommand'
        { Import-AfmlRegistro -Path $TestDrive -ErrorAction Stop } |
            Should -Throw -ErrorId 'RegistroIsDirectory,Afml.PowerShell.Commands.ImportAfmlRegistroCommand'
    }
    It '-Endpoint ftp:// is EndpointInvalid before anything is written' {
        $root = New-TrainingCopy
        { Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Paper -Endpoint 'ftp://127.0.0.1/x' } |
            Should -Throw -ErrorId 'EndpointInvalid,Afml.PowerShell.Commands.StartAfmlSessionCommand'
        Join-Path $root "$DemoId/produccion" | Should -Not -Exist
    }
    It 'a train id that is a path is TrainIdInvalid for <Command>' -ForEach @(
        @{ Command = 'Start-AfmlSession'; Type = 'StartAfmlSessionCommand' }
        @{ Command = 'Get-AfmlTraining'; Type = 'GetAfmlTrainingCommand' }
        @{ Command = 'Test-AfmlTraining'; Type = 'TestAfmlTrainingCommand' }
        @{ Command = 'ConvertTo-AfmlOnnx'; Type = 'ConvertToAfmlOnnxCommand' }
    ) {
        $root = New-TrainingCopy
        $extra = if ($Command -eq 'Start-AfmlSession') { @{ Replay = $Candles } } else { @{} }
        { & $Command -TrainId "../$DemoId" -TrainingRoot $root @extra -ErrorAction Stop } |
            Should -Throw -ErrorId "TrainIdInvalid,Afml.PowerShell.Commands.$Type"
    }
    It 'the demo file''s one missing candle is still interpolated, with a warning' {
        $root = New-TrainingCopy
        $summary = Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Replay $Candles -From '2025-01-01T00:00:00Z' -MaxSteps 3 -Quiet -WarningVariable warned -WarningAction SilentlyContinue
        $summary.Steps | Should -Be 3
        $warned | Where-Object { "$_" -match '1 vela\(s\) faltante\(s\)' } | Should -Not -BeNullOrEmpty
    }
}
