@{
    RootModule           = 'Afml.PowerShell.dll'
    ModuleVersion        = '{{ModuleVersion}}'
    CompatiblePSEditions = @('Core')
    GUID                 = '5b0f8f53-2a47-4c41-9a4e-8d6f7e3b9c21'
    Author               = 'Afml'
    CompanyName          = 'Afml'
    Copyright            = '(c) Afml. All rights reserved.'
    Description          = 'Runs a trained Soft Actor-Critic agent on Binance USDT-M Futures: offline replay, paper and live sessions, with the decisions the model learned.'
    PowerShellVersion    = '7.6'
    FormatsToProcess     = @('Afml.format.ps1xml')
    CmdletsToExport      = @(
        'Start-AfmlSession'
        'Get-AfmlStatus'
        'Invoke-AfmlEmergency'
        'Reset-AfmlEmergency'
        'Import-AfmlRegistro'
        'Measure-AfmlRegistro'
        'Export-AfmlChart'
        'Get-AfmlTraining'
        'Test-AfmlTraining'
        'ConvertTo-AfmlOnnx'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Trading', 'Binance', 'Futures', 'ReinforcementLearning', 'SAC', 'ONNX')
            ProjectUri = ''
        }
    }
}
