#Requires -Version 7.6
# Runs against the *built* module (build.ps1 puts out/ first on PSModulePath).

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module Afml -Force -ErrorAction Stop
}

Describe 'Module' {
    It 'exports exactly the documented cmdlets' {
        $names = (Get-Command -Module Afml).Name | Sort-Object
        $names | Should -Be @('ConvertTo-AfmlOnnx', 'Export-AfmlChart', 'Get-AfmlStatus', 'Get-AfmlTraining', 'Import-AfmlRegistro', 'Invoke-AfmlEmergency', 'Measure-AfmlRegistro', 'Reset-AfmlEmergency', 'Start-AfmlSession', 'Test-AfmlTraining')
    }
    It 'loads the engine in its own load context, not the default one' {
        Get-AfmlTraining -TrainingRoot (Join-Path $RepoRoot 'samples/entrenamientos') | Out-Null
        $core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Afml.Core' }
        $core | Should -Not -BeNullOrEmpty
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($core).Name | Should -Be 'Afml'
    }
    It 'has help for every cmdlet and every parameter, from the cmdlets'' own doc comments' {
        foreach ($cmd in Get-Command -Module Afml) {
            $help = Get-Help $cmd.Name -Full
            $help.Synopsis | Should -Not -BeNullOrEmpty -Because $cmd.Name
            $help.Synopsis | Should -Not -Match '^\s*Start-AfmlSession \[' -Because "$($cmd.Name) must not fall back to the syntax"
            $help.description | Should -Not -BeNullOrEmpty -Because $cmd.Name
            foreach ($p in $help.parameters.parameter) {
                $p.description.Text | Should -Not -BeNullOrEmpty -Because "$($cmd.Name) -$($p.name)"
            }
        }
        (Get-Help Start-AfmlSession -Parameter Live).description.Text | Should -Match 'real money'
        (Get-Help Start-AfmlSession -Parameter InitialBalance).aliases | Should -Be 'Capital'
        @((Get-Help Start-AfmlSession -Examples).examples.example).Count | Should -BeGreaterOrEqual 3
    }
    It 'has an about_Afml topic with the venues and the troubleshooting cases operators know' {
        $about = Get-Help about_Afml | Out-String
        $about | Should -Match 'Credenciales no encontradas'
        $about | Should -Match 'Scaler no encontrado'
        $about | Should -Match '-Paper'
    }
    It 'completes -TrainId from the training root' {
        $root = New-TrainingCopy
        Push-Location $root
        try {
            $line = 'Start-AfmlSession -TrainingRoot . -TrainId train_BTC'
            $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $r.CompletionMatches.CompletionText | Should -Contain $DemoId
        } finally { Pop-Location }
    }
}

Describe 'Start-AfmlSession -Replay' {
    BeforeAll {
        $script:Root = New-TrainingCopy
        $script:Summary = Start-AfmlSession -TrainId $DemoId -TrainingRoot $Root -Replay $Candles -MaxSteps 60 -Quiet
        $script:Registro = Get-ChildItem (Join-Path $Root "$DemoId/produccion") -Filter 'registro_*.csv'
    }
    It 'returns a typed summary' {
        $Summary.GetType().FullName | Should -Be 'Afml.Core.Session.SessionSummary'
        $Summary.Steps | Should -Be 60
        $Summary.StopReason | Should -Be 'MaxSteps'
        $Summary.Venue | Should -Be 'simulated'
        $Summary.FirstCandle | Should -Be ([DateTimeOffset]::FromUnixTimeMilliseconds(1673352000000))
    }
    It 'writes one registro with the Python system''s columns first' {
        $Registro | Should -HaveCount 1
        $header = (Get-Content $Registro.FullName -TotalCount 1) -split ','
        $header[0..20] -join ',' | Should -Be 'timestamp,paso,action,precio,balance,equity,max_drawdown,pnl_total,posicion_abierta,tipo_posicion_activa,precio_entrada_activa,cantidad_activa,pnl_no_realizado,tipo_accion,operacion,resultado,error,trade_id,cantidad,precio_entrada,comision'
        (Get-Content $Registro.FullName).Count | Should -Be 61
    }
    It 'writes booleans as True/False and timestamps as ISO-8601 UTC' {
        $first = (Get-Content $Registro.FullName -TotalCount 2)[1] -split ','
        $first[0] | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$'
        $first[8] | Should -BeIn @('True', 'False')
    }
    It 'shows the seed''s log lines unless -Quiet' {
        $root = New-TrainingCopy
        $info = Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Replay $Candles -MaxSteps 2 6>&1 | Where-Object { $_ -is [System.Management.Automation.InformationRecord] }
        $text = $info.MessageData.Message -join "`n"
        $text | Should -Match 'INFO - 📊 PASO 1 - 2023-01-10T13:00:00'
        $text | Should -Match 'INFO - 🤖 Acción del agente: 0\.63\d\d → abrir_long'
        $text | Should -Match 'INFO - ✅ Operación ejecutada: \{''trade_id'': 1, ''cantidad'': '
        $text | Should -Match 'INFO - 💰 Equity: \d+\.\d\d \| Drawdown: \d+\.\d% \| Posición: True'
    }
    It 'leaves a status file that Get-AfmlStatus -All reads' {
        $s = Get-AfmlStatus -TrainId $DemoId -TrainingRoot $Root -All
        $s | Should -HaveCount 1
        $s.State | Should -Be 'Stopped'
        $s.Step | Should -Be 60
        Get-AfmlStatus -TrainId $DemoId -TrainingRoot $Root | Should -BeNullOrEmpty
    }
}

Describe 'Import-AfmlRegistro' {
    BeforeAll {
        $script:Root = New-TrainingCopy
        Start-AfmlSession -TrainId $DemoId -TrainingRoot $Root -Replay $Candles -MaxSteps 30 -Quiet | Out-Null
        $script:Dir = Join-Path $Root "$DemoId/produccion"
    }
    It 'reads files from the pipeline as typed steps' {
        $rows = Get-ChildItem $Dir -Filter 'registro_*.csv' | Import-AfmlRegistro
        $rows | Should -HaveCount 30
        $rows[0].Paso | Should -BeOfType [int]
        $rows[0].Equity | Should -BeOfType [double]
        $rows[0].PosicionAbierta | Should -BeOfType [bool]
        $rows[0].Resultado | Should -BeOfType [bool]
        $rows[0].Timestamp | Should -BeOfType [DateTimeOffset]
        $rows[0].Operacion | Should -Be 'abrir_long'
        ($rows.Paso) | Should -Be (1..30)
    }
    It 'draws a registro as a PNG beside it, from the pipeline' {
        $files = Get-ChildItem (Join-Path $Root "$DemoId/produccion") -Filter 'registro_*.csv' | Export-AfmlChart -Width 800 -Height 400
        $files | Should -HaveCount 1
        $files[0].Extension | Should -Be '.png'
        $bytes = [IO.File]::ReadAllBytes($files[0].FullName)
        $bytes.Length | Should -BeGreaterThan 5000
        [Text.Encoding]::ASCII.GetString($bytes, 1, 3) | Should -Be 'PNG'
    }
    It 'reads a registro written by the Python system' {
        $py = Join-Path $TestDrive 'registro_python.csv'
        @(
            'timestamp,paso,action,precio,balance,equity,max_drawdown,pnl_total,posicion_abierta,tipo_posicion_activa,precio_entrada_activa,cantidad_activa,pnl_no_realizado,tipo_accion,operacion,resultado,error,trade_id,cantidad,precio_entrada,comision'
            '2025-10-04 15:30:00,42,0.7234,62000.5,9000.0,10250.5,0.025,10.0,True,long,61000.0,0.05,50.0,long,abrir_long,True,,123456.0,0.05,61000.0,0.31'
        ) | Set-Content $py
        $row = Import-AfmlRegistro -Path $py
        $row.Paso | Should -Be 42
        $row.TradeId | Should -Be 123456
        $row.Timestamp | Should -Be ([DateTimeOffset]'2025-10-04T15:30:00Z')
    }
    It 'names the file, line and column of a malformed value' {
        $bad = Join-Path $TestDrive 'registro_bad.csv'
        @('timestamp,paso,action,precio,balance,equity', '2025-01-01T00:00:00Z,1,abc,1,1,1') | Set-Content $bad
        { Import-AfmlRegistro -Path $bad -ErrorAction Stop } | Should -Throw -ErrorId 'RegistroInvalid,Afml.PowerShell.Commands.ImportAfmlRegistroCommand'
        $err = $null; Import-AfmlRegistro -Path $bad -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.Message | Should -Match 'registro_bad\.csv, line 2: column ''action'' has ''abc'''
    }
}

Describe 'Bad input gives a clear error id' {
    It 'missing training' {
        $root = New-TrainingCopy
        { Start-AfmlSession -TrainId 'train_nope' -TrainingRoot $root -Replay $Candles } |
            Should -Throw -ErrorId 'TrainingNotFound,Afml.PowerShell.Commands.StartAfmlSessionCommand'
    }
    It 'broken YAML, naming file and line' {
        $root = New-TrainingCopy
        Add-Content (Join-Path $root "$DemoId/config_metadata.yaml") "entorno: [unclosed"
        { Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Replay $Candles } |
            Should -Throw -ErrorId 'ConfigInvalid,Afml.PowerShell.Commands.StartAfmlSessionCommand'
    }
    It 'missing key, naming the key' {
        $root = New-TrainingCopy
        $cfg = Join-Path $root "$DemoId/config_metadata.yaml"
        (Get-Content $cfg) | Where-Object { $_ -notmatch '^\s+window_size:' } | Set-Content $cfg
        $err = { Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Replay $Candles } | Should -Throw -ErrorId 'ConfigKeyMissing,Afml.PowerShell.Commands.StartAfmlSessionCommand' -PassThru
        $err.Exception.Message | Should -Match "entorno\.window_size"
    }
    It 'missing scaler' {
        $root = New-TrainingCopy
        Remove-Item (Join-Path $root "$DemoId/scaler_train.*")
        { Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Replay $Candles } |
            Should -Throw -ErrorId 'ScalerNotFound,Afml.PowerShell.Commands.StartAfmlSessionCommand'
    }
    It 'missing model' {
        $root = New-TrainingCopy
        Remove-Item (Join-Path $root "$DemoId/modelos/*")
        { Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Replay $Candles } |
            Should -Throw -ErrorId 'ModelNotFound,Afml.PowerShell.Commands.StartAfmlSessionCommand'
    }
    It 'bad candle file, naming line and column' {
        $root = New-TrainingCopy
        $csv = Join-Path $TestDrive 'nan.csv'
        Get-Content $Candles -TotalCount 400 | Set-Content $csv
        Add-Content $csv '1674000000000,1,2,3,NaN,5'
        $err = { Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Replay $csv } | Should -Throw -ErrorId 'CandleFileInvalid,Afml.PowerShell.Commands.StartAfmlSessionCommand' -PassThru
        $err.Exception.Message | Should -Match "line 401: column 'close' has 'NaN'"
    }
    It 'leaves nothing behind when the start fails' {
        $root = New-TrainingCopy
        Remove-Item (Join-Path $root "$DemoId/modelos/*")
        { Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Replay $Candles } | Should -Throw
        Test-Path (Join-Path $root "$DemoId/produccion") | Should -BeFalse
    }
}

Describe 'Get-AfmlTraining' {
    It 'describes the demo training from its files' {
        $t = Get-AfmlTraining -TrainingRoot (Join-Path $RepoRoot 'samples/entrenamientos')
        $t.TrainId | Should -Be $DemoId
        $t.Symbol | Should -Be 'BTCUSDT'
        $t.Interval | Should -Be '1h'
        $t.WindowSize | Should -Be 30
        $t.Features | Should -HaveCount 16
        $t.Features[-1] | Should -Be 'BBP_20_2.0'
        $t.ModelInputs | Should -Be 'market[30x16] + portfolio[3]'
    }
}

Describe 'ConvertTo-AfmlOnnx' {
    BeforeAll {
        $script:Root = New-TrainingCopy
        $script:Models = Join-Path $Root "$DemoId/modelos"
    }
    It 'changes nothing with -WhatIf' {
        ConvertTo-AfmlOnnx -TrainId $DemoId -TrainingRoot $Root -WhatIf | Should -BeNullOrEmpty
        Join-Path $Models 'modelo.zip.onnx' | Should -Not -Exist
    }
    It 'converts modelo.zip once and reuses the conversion until -Force' {
        $first = ConvertTo-AfmlOnnx -TrainId $DemoId -TrainingRoot $Root
        $first.GetType().FullName | Should -Be 'Afml.Core.Agent.Sb3.ModelConversion'
        $first.Rebuilt | Should -BeTrue
        $first.OnnxPath | Should -Be (Join-Path $Models 'modelo.zip.onnx')
        $first.OnnxPath | Should -Exist
        $first.Sha256 | Should -Be (Get-FileHash (Join-Path $Models 'modelo.zip') -Algorithm SHA256).Hash.ToLowerInvariant()
        (ConvertTo-AfmlOnnx -TrainId $DemoId -TrainingRoot $Root).Rebuilt | Should -BeFalse
        (ConvertTo-AfmlOnnx -TrainId $DemoId -TrainingRoot $Root -Force).Rebuilt | Should -BeTrue
    }
    It 'lets a session run on the trainer''s own files' {
        $root = New-TrainingCopy
        Remove-Item (Join-Path $root "$DemoId/modelos/modelo.onnx"), (Join-Path $root "$DemoId/scaler_train.json")
        $s = Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Replay $Candles -MaxSteps 5 -Quiet
        $s.Steps | Should -Be 5
        Join-Path $root "$DemoId/modelos/modelo.zip.onnx" | Should -Exist
    }
    It 'reports a corrupt zip as ModelZipInvalid' {
        $root = New-TrainingCopy
        $zip = Join-Path $root "$DemoId/modelos/modelo.zip"
        [IO.File]::WriteAllBytes($zip, [IO.File]::ReadAllBytes($zip)[0..999])
        { ConvertTo-AfmlOnnx -TrainId $DemoId -TrainingRoot $root -ErrorAction Stop } |
            Should -Throw -ErrorId 'ModelZipInvalid,Afml.PowerShell.Commands.ConvertToAfmlOnnxCommand'
    }
}

Describe 'Test-AfmlTraining' {
    It 'passes the demo training' {
        $root = New-TrainingCopy
        $r = Test-AfmlTraining -TrainId $DemoId -TrainingRoot $root
        $r.GetType().FullName | Should -Be 'Afml.Core.Agent.TrainingReport'
        $r.Passed | Should -BeTrue
        ($r.Checks | Where-Object Name -eq 'ScalerPickleMatchesJson').Status | Should -Be 'Passed'
        ($r.Checks | Where-Object Name -eq 'ParityGate').Status | Should -Be 'Skipped'
        ($r | Out-String) | Should -Match 'Passed\s+Consistency'
    }
    It 'reports failed checks without an error' {
        $root = New-TrainingCopy
        Remove-Item (Join-Path $root "$DemoId/modelos/modelo.onnx")
        $zip = Join-Path $root "$DemoId/modelos/modelo.zip"
        [IO.File]::WriteAllBytes($zip, [IO.File]::ReadAllBytes($zip)[0..999])
        $err = $null
        $r = Test-AfmlTraining -TrainId $DemoId -TrainingRoot $root -ErrorVariable err
        $err | Should -BeNullOrEmpty
        $r.Passed | Should -BeFalse
        $model = $r.Checks | Where-Object Name -eq 'ModelFile'
        $model.Status | Should -Be 'Failed'
        $model.ErrorId | Should -Be 'ModelZipInvalid'
        $model.Message | Should -Match 'modelo\.zip'
    }
    It 'is an error for a training that does not exist' {
        $root = New-TrainingCopy
        { Test-AfmlTraining -TrainId 'train_nope' -TrainingRoot $root -ErrorAction Stop } |
            Should -Throw -ErrorId 'TrainingNotFound,Afml.PowerShell.Commands.TestAfmlTrainingCommand'
    }
}

Describe 'Invoke-AfmlEmergency' {
    It 'refuses when no session of the training is running' {
        $root = New-TrainingCopy
        { Invoke-AfmlEmergency -TrainId $DemoId -TrainingRoot $root -Force -ErrorAction Stop } |
            Should -Throw -ErrorId 'NoRunningSession,Afml.PowerShell.Commands.InvokeAfmlEmergencyCommand'
    }
    It 'completes -SessionId with the running sessions of the training, and asks them to stop' {
        $root = New-TrainingCopy
        Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Replay $Candles -MaxSteps 1 -Quiet | Out-Null
        # Make the finished session look like one running in this process.
        $file = Get-ChildItem (Join-Path $root "$DemoId/produccion") -Filter 'sesion_*.status.json' | Select-Object -First 1
        $status = Get-Content $file.FullName -Raw | ConvertFrom-Json -AsHashtable
        $status['state'] = 'Running'; $status['process_id'] = $PID; $status['heartbeat_at'] = [DateTimeOffset]::UtcNow.ToString('o')
        $id = $status['session_id']
        $id | Should -Not -BeNullOrEmpty
        $status | ConvertTo-Json | Set-Content $file.FullName
        Push-Location $root
        try {
            $line = "Invoke-AfmlEmergency -TrainingRoot . -TrainId $DemoId -SessionId "
            $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $r.CompletionMatches.CompletionText | Should -Be @($id)
        } finally { Pop-Location }
        $request = Invoke-AfmlEmergency -TrainId $DemoId -TrainingRoot $root -SessionId $id -Reason 'pester' -Force -NoWait
        $request.Mode | Should -Be 'Requested'
        $control = $file.FullName -replace '\.status\.json$', '.control.json'
        (Get-Content $control -Raw | ConvertFrom-Json).Reason | Should -Be 'pester'
    }
}

Describe 'Telemetry' {
    BeforeAll {
        # A child pwsh (as scheduled scripts start one) with a scratch HOME and no XDG overrides, so whatever it
        # or the engine writes for the user lands under that HOME.
        function script:Invoke-ScratchPwsh([string] $HomeDir, [string] $Script, [bool] $PwshOptOut) {
            $exe = [Environment]::ProcessPath
            $saved = @{}
            foreach ($name in 'HOME', 'XDG_CACHE_HOME', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'ORT_DISABLE_TELEMETRY', 'POWERSHELL_TELEMETRY_OPTOUT') {
                $saved[$name] = [Environment]::GetEnvironmentVariable($name)
                [Environment]::SetEnvironmentVariable($name, $null)
            }
            try {
                $env:HOME = $HomeDir
                if ($PwshOptOut) { $env:POWERSHELL_TELEMETRY_OPTOUT = '1' }
                if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { & $exe (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command $Script | Out-Host }
                else { & $exe -NoProfile -NonInteractive -Command $Script | Out-Host }
                $LASTEXITCODE
            } finally {
                foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
            }
        }
    }
    It 'OnnxRuntime and PowerShell (POWERSHELL_TELEMETRY_OPTOUT, as our scripts set it) write no telemetry into the user''s home' {
        $home2 = New-Item -ItemType Directory -Force (Join-Path $TestDrive 'home')
        $root = New-TrainingCopy
        $modulePath = (Get-Module Afml).ModuleBase
        # ORT_DISABLE_TELEMETRY is left unset: the engine itself must turn OnnxRuntime's off.
        $script = "Import-Module '$modulePath'; Start-AfmlSession -TrainId '$DemoId' -TrainingRoot '$root' -Replay '$Candles' -MaxSteps 3 -Quiet | Out-Null"
        Invoke-ScratchPwsh $home2.FullName $script $true | Should -Be 0
        Get-ChildItem $home2 -Recurse -Force -Filter '*onnxruntime*' | Should -BeNullOrEmpty
        # PowerShell keeps its telemetry id in <cache>/powershell/telemetry.uuid (XDG cache, default ~/.cache).
        Get-ChildItem $home2 -Recurse -Force -Filter 'telemetry.uuid' | Should -BeNullOrEmpty
    }
    It 'sees PowerShell''s telemetry when the opt-out is missing (so the check above can fail)' {
        $home3 = New-Item -ItemType Directory -Force (Join-Path $TestDrive 'home-no-optout')
        Invoke-ScratchPwsh $home3.FullName '$null' $false | Should -Be 0
        Get-ChildItem $home3 -Recurse -Force -Filter 'telemetry.uuid' | Should -Not -BeNullOrEmpty
    }
}
