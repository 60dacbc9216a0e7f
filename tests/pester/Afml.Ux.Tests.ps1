#Requires -Version 7.6
# What an operator sees and composes: metrics, charts, pipelines, views, help, -WhatIf, culture and time zone.
# Runs against the *built* module (build.ps1 puts out/ first on PSModulePath).

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module Afml -Force -ErrorAction Stop

    # Every file under a folder with its size and write time: "nothing changed anywhere" is this list unchanged.
    function script:Get-TreeSnapshot([string] $Path) {
        @(Get-ChildItem -LiteralPath $Path -Recurse -Force | Sort-Object FullName |
            ForEach-Object { '{0}|{1}|{2}' -f $_.FullName, ($_.PSIsContainer ? 'd' : $_.Length), $_.LastWriteTimeUtc.Ticks })
    }

    # A child pwsh (the one running these tests) with the built module on its path, for culture, time zone and
    # non-interactive host checks. Returns its output lines; the script's errors surface as output.
    function script:Invoke-ChildPwsh([string] $Script, [hashtable] $Environment = @{}, [switch] $NonInteractive) {
        $exe = [Environment]::ProcessPath
        $prefix = [IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet' ? @((Join-Path $PSHOME 'pwsh.dll')) : @()
        $modules = (Get-Module Afml).ModuleBase | Split-Path
        $saved = @{}
        foreach ($k in $Environment.Keys) { $saved[$k] = [Environment]::GetEnvironmentVariable($k); [Environment]::SetEnvironmentVariable($k, $Environment[$k]) }
        try {
            $full = "`$ErrorActionPreference = 'Stop'; `$env:PSModulePath = '$modules' + [IO.Path]::PathSeparator + `$env:PSModulePath; Import-Module Afml; $Script"
            $flags = @('-NoProfile') + ($NonInteractive ? @('-NonInteractive') : @())
            & $exe @prefix @flags -Command $full 2>&1 | ForEach-Object { "$_" }
        } finally {
            foreach ($k in $saved.Keys) { [Environment]::SetEnvironmentVariable($k, $saved[$k]) }
        }
    }

    function script:Read-RawRegistro([string] $Path) {
        $inv = [cultureinfo]::InvariantCulture
        Import-Csv -LiteralPath $Path | ForEach-Object {
            [pscustomobject]@{
                Timestamp = [DateTimeOffset]::Parse($_.timestamp, $inv)
                Equity    = [double]::Parse($_.equity, $inv)
                PnlTotal  = [double]::Parse($_.pnl_total, $inv)
                Unreal    = $_.pnl_no_realizado ? [double]::Parse($_.pnl_no_realizado, $inv) : 0.0
                Open      = $_.posicion_abierta -eq 'True'
                Side      = $_.tipo_posicion_activa
                Tipo      = $_.tipo_accion
            }
        }
    }
}

Describe 'Measure-AfmlRegistro' {
    BeforeAll {
        $script:Root = New-TrainingCopy
        $script:Summary = Start-AfmlSession -TrainId $DemoId -TrainingRoot $Root -Replay $Candles -From 2025-01-01 -MaxSteps 200 -Quiet 3>$null
        $script:Metrics = $Summary | Measure-AfmlRegistro
    }
    It 'equals a straightforward re-computation from the raw CSV' {
        $rows = @(Read-RawRegistro $Summary.RegistroPath)
        $initial = 10000.0 # portafolio.capital_inicial of the demo training
        $Metrics.Steps | Should -Be $rows.Count
        $Metrics.InitialEquity | Should -Be $initial
        $Metrics.FinalEquity | Should -Be $rows[-1].Equity
        $Metrics.Return | Should -BeGreaterThan ($rows[-1].Equity / $initial - 1 - 1e-12)
        $Metrics.Return | Should -BeLessThan ($rows[-1].Equity / $initial - 1 + 1e-12)

        # returns, drawdown from the running peak
        $prev = $initial; $peak = $initial; $maxDd = 0.0
        $r = foreach ($row in $rows) {
            $row.Equity / $prev - 1; $prev = $row.Equity
            $peak = [Math]::Max($peak, $row.Equity); $maxDd = [Math]::Max($maxDd, ($peak - $row.Equity) / $peak)
        }
        $mean = ($r | Measure-Object -Average).Average
        $sd = [Math]::Sqrt((($r | ForEach-Object { ($_ - $mean) * ($_ - $mean) } | Measure-Object -Sum).Sum) / ($r.Count - 1))
        $down = [Math]::Sqrt((($r | ForEach-Object { [Math]::Min($_, 0) * [Math]::Min($_, 0) } | Measure-Object -Sum).Sum) / $r.Count)
        [Math]::Abs($Metrics.MaxDrawdown - $maxDd) | Should -BeLessThan 1e-12
        [Math]::Abs($Metrics.SharpePerInterval - $mean / $sd) | Should -BeLessThan 1e-9
        [Math]::Abs($Metrics.Sharpe - $mean / $sd * [Math]::Sqrt(365 * 24)) | Should -BeLessThan 1e-7
        [Math]::Abs($Metrics.Sortino - $mean / $down * [Math]::Sqrt(365 * 24)) | Should -BeLessThan 1e-7
        $Metrics.Interval | Should -Be ([TimeSpan]::FromHours(1))

        # trades: equity after the close minus equity before the open
        $trades = [Collections.Generic.List[double]]::new(); $open = $false; $before = $initial; $startEq = $initial
        foreach ($row in $rows) {
            if ($open -and -not $row.Open) { $trades.Add($row.Equity - $startEq); $open = $false }
            if ($row.Open -and -not $open) { $startEq = $before; $open = $true }
            $before = $row.Equity
        }
        $Metrics.Trades | Should -Be $trades.Count
        $Metrics.Trades | Should -BeGreaterThan 0
        $wins = @($trades | Where-Object { $_ -gt 0 }); $losses = @($trades | Where-Object { $_ -le 0 })
        $Metrics.WinningTrades | Should -Be $wins.Count
        $Metrics.WinRate | Should -Be ($wins.Count / $trades.Count)
        if ($losses) { [Math]::Abs($Metrics.ProfitFactor - ($wins | Measure-Object -Sum).Sum / - ($losses | Measure-Object -Sum).Sum) | Should -BeLessThan 1e-9 }
        $Metrics.Exposure | Should -Be (@($rows | Where-Object Open).Count / $rows.Count)
        $last = $rows[-1]
        [Math]::Abs($Metrics.Fees - ($initial + $last.PnlTotal + ($last.Open ? $last.Unreal : 0) - $last.Equity)) | Should -BeLessThan 1e-6
        $Metrics.Fees | Should -BeGreaterThan 0

        # action distribution by tipo_accion
        foreach ($g in $rows | Group-Object Tipo) { $Metrics.Actions[$g.Name] | Should -Be $g.Count -Because $g.Name }
        ($Metrics.Actions.Values | Measure-Object -Sum).Sum | Should -Be $rows.Count
    }
    It 'labels the session from its file and its training' {
        $Metrics.SessionId | Should -Be ([IO.Path]::GetFileNameWithoutExtension($Summary.RegistroPath) -replace '^registro_')
        $Metrics.TrainId | Should -Be $DemoId
        $Metrics.Symbol | Should -Be 'BTCUSDT'
        $Metrics.Venue | Should -Be 'simulated'
        $Metrics.MaxDrawdownAllowed | Should -BeGreaterThan 0.25
        $Metrics.Start | Should -Be ([DateTimeOffset]'2025-01-01T00:00:00Z')
    }
    It 'gives the same figures from Import-AfmlRegistro rows, one result per session, never mixed' {
        # A second session of the same training: its first 40 steps under another stamp (names are stamped to the second).
        $prod = Join-Path $Root "$DemoId/produccion"
        Get-Content $Summary.RegistroPath -TotalCount 41 | Set-Content (Join-Path $prod 'registro_20990101_000000.csv')
        $second = @{ Steps = 40 }
        $rows = Get-ChildItem $prod -Filter 'registro_*.csv' | Import-AfmlRegistro
        @($rows.SessionId | Sort-Object -Unique) | Should -HaveCount 2
        $fromRows = $rows | Measure-AfmlRegistro
        $fromRows | Should -HaveCount 2
        $same = $fromRows | Where-Object SessionId -eq $Metrics.SessionId
        $same.Steps | Should -Be $Metrics.Steps
        $same.Sharpe | Should -Be $Metrics.Sharpe
        $same.Fees | Should -Be $Metrics.Fees
        ($fromRows | Where-Object SessionId -ne $Metrics.SessionId).Steps | Should -Be $second.Steps
    }
    It 'skips a registro without steps with a warning and goes on' {
        $dir = New-Item -ItemType Directory (Join-Path $TestDrive 'measure-empty')
        Set-Content (Join-Path $dir 'registro_20250101_000000.csv') 'timestamp,paso,action,precio,balance,equity'
        Copy-Item $Summary.RegistroPath (Join-Path $dir 'registro_20250101_000001.csv')
        $out = Get-ChildItem $dir -Filter 'registro_*.csv' | Measure-AfmlRegistro -WarningVariable w -WarningAction SilentlyContinue -ErrorVariable e
        $out | Should -HaveCount 1
        $w | Should -HaveCount 1
        "$w" | Should -Match 'no steps'
        $e | Should -BeNullOrEmpty
    }
}

Describe 'Pipelines from the session summary' {
    BeforeAll {
        $script:Root = New-TrainingCopy
        $script:Summary = Start-AfmlSession -TrainId $DemoId -TrainingRoot $Root -Replay $Candles -MaxSteps 25 -Quiet
    }
    It '$summary | Import-AfmlRegistro reads the session''s registro, rows stamped with its session id' {
        $rows = $Summary | Import-AfmlRegistro
        $rows | Should -HaveCount 25
        $rows[0].SessionId | Should -Match '^\d{8}_\d{6}$'
        $rows[0].SourcePath | Should -Be $Summary.RegistroPath
    }
    It '$summary | Export-AfmlChart draws it beside the registro' {
        $png = $Summary | Export-AfmlChart
        $png.FullName | Should -Be ([IO.Path]::ChangeExtension($Summary.RegistroPath, '.png'))
    }
    It 'Get-AfmlTraining | Test-AfmlTraining checks the training by its TrainId' {
        (Get-AfmlTraining -TrainingRoot $Root | Test-AfmlTraining -TrainingRoot $Root).TrainId | Should -Be $DemoId
    }
}

Describe 'Export-AfmlChart' {
    BeforeAll {
        $script:Root = New-TrainingCopy
        $first = Start-AfmlSession -TrainId $DemoId -TrainingRoot $Root -Replay $Candles -MaxSteps 30 -Quiet
        $script:Prod = Join-Path $Root "$DemoId/produccion"
        # A second session: the first one's 20 first steps under another stamp.
        Get-Content $first.RegistroPath -TotalCount 21 | Set-Content (Join-Path $Prod 'registro_20990101_000000.csv')
        $script:Registros = @(Get-ChildItem $Prod -Filter 'registro_*.csv')
    }
    It 'refuses -OutFile with several registros unless -Combine, writing nothing' {
        $before = Get-TreeSnapshot $Root
        { $Registros | Export-AfmlChart -OutFile (Join-Path $TestDrive 'one.png') -ErrorAction Stop } |
            Should -Throw -ErrorId 'OutFileNeedsCombine,Afml.PowerShell.Commands.ExportAfmlChartCommand'
        Join-Path $TestDrive 'one.png' | Should -Not -Exist
        Get-TreeSnapshot $Root | Should -Be $before
    }
    It 'draws several registros into one chart with -Combine' {
        $out = $Registros | Export-AfmlChart -Combine -OutFile (Join-Path $TestDrive 'both.png')
        $out | Should -HaveCount 1
        [IO.File]::ReadAllBytes($out.FullName).Length | Should -BeGreaterThan 5000
    }
    It 'never replaces an existing chart silently: an error unless -Force' {
        $target = Join-Path $TestDrive 'existing.png'
        Set-Content $target 'previous chart'
        $Registros[0] | Export-AfmlChart -OutFile $target -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Be 'ChartExists,Afml.PowerShell.Commands.ExportAfmlChartCommand'
        Get-Content $target | Should -Be 'previous chart'
        ($Registros[0] | Export-AfmlChart -OutFile $target -Force).Length | Should -BeGreaterThan 5000
    }
    It 'skips a header-only registro (a failed start) with a warning and draws the others' {
        $dir = New-Item -ItemType Directory (Join-Path $TestDrive 'chart-empty')
        Set-Content (Join-Path $dir 'registro_20250101_000000.csv') ((Get-Content $Registros[0].FullName -TotalCount 1))
        Copy-Item $Registros[0].FullName (Join-Path $dir 'registro_20250101_000001.csv')
        $out = Get-ChildItem $dir -Filter 'registro_*.csv' | Export-AfmlChart -MaxDrawdown 0.2 -WarningVariable w -WarningAction SilentlyContinue -ErrorVariable e
        $out | Should -HaveCount 1
        $out.Name | Should -Be 'registro_20250101_000001.png'
        "$w" | Should -Match 'no steps'
        $e | Should -BeNullOrEmpty
    }
    It 'changes nothing anywhere with -WhatIf' {
        $before = Get-TreeSnapshot $Root
        $Registros | Export-AfmlChart -WhatIf | Should -BeNullOrEmpty
        $Registros | Export-AfmlChart -Combine -WhatIf | Should -BeNullOrEmpty
        Get-TreeSnapshot $Root | Should -Be $before
    }
}

Describe '-WhatIf changes nothing anywhere' {
    It 'Start-AfmlSession -Replay -WhatIf runs no session and writes no file' {
        $root = New-TrainingCopy
        $before = Get-TreeSnapshot $root
        Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Replay $Candles -MaxSteps 5 -WhatIf | Should -BeNullOrEmpty
        Get-TreeSnapshot $root | Should -Be $before
        Join-Path $root "$DemoId/produccion" | Should -Not -Exist
    }
    It 'Start-AfmlSession -Live -WhatIf asks nothing, connects nowhere and writes no file' {
        $root = New-TrainingCopy
        $before = Get-TreeSnapshot $root
        Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Live -Endpoint 'http://127.0.0.1:9' -WhatIf | Should -BeNullOrEmpty
        Get-TreeSnapshot $root | Should -Be $before
    }
    It 'ConvertTo-AfmlOnnx -WhatIf converts nothing' {
        $root = New-TrainingCopy
        $before = Get-TreeSnapshot $root
        ConvertTo-AfmlOnnx -TrainId $DemoId -TrainingRoot $root -WhatIf | Should -BeNullOrEmpty
        Get-TreeSnapshot $root | Should -Be $before
    }
}

Describe 'Start-AfmlSession parameters' {
    It 'the real-money question defaults to No: Enter starts nothing' {
        # A host whose user just presses Enter: it answers every choice with the default the cmdlet offers.
        if (-not ('AfmlTest.EnterHost' -as [type])) {
            Add-Type -ReferencedAssemblies System.Management.Automation, System.Collections, System.Runtime, System.Console -TypeDefinition @"
using System; using System.Collections.Generic; using System.Collections.ObjectModel; using System.Globalization; using System.Management.Automation; using System.Management.Automation.Host; using System.Security;
namespace AfmlTest {
public sealed class EnterUI : PSHostUserInterface {
    public List<string> Defaults = new List<string>();
    public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) { Defaults.Add(choices[defaultChoice].Label); return defaultChoice; }
    public override PSHostRawUserInterface RawUI => null;
    public override Dictionary<string, PSObject> Prompt(string c, string m, Collection<FieldDescription> d) => throw new NotSupportedException();
    public override PSCredential PromptForCredential(string c, string m, string u, string t) => throw new NotSupportedException();
    public override PSCredential PromptForCredential(string c, string m, string u, string t, PSCredentialTypes a, PSCredentialUIOptions o) => throw new NotSupportedException();
    public override string ReadLine() => "";
    public override SecureString ReadLineAsSecureString() => new SecureString();
    public override void Write(string v) { } public override void Write(ConsoleColor f, ConsoleColor b, string v) { } public override void WriteLine(string v) { }
    public override void WriteErrorLine(string v) { } public override void WriteDebugLine(string v) { } public override void WriteProgress(long s, ProgressRecord r) { }
    public override void WriteVerboseLine(string v) { } public override void WriteWarningLine(string v) { }
}
public sealed class EnterHost : PSHost {
    public readonly EnterUI EnterUI = new EnterUI(); private readonly Guid _id = Guid.NewGuid();
    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture; public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
    public override Guid InstanceId => _id; public override string Name => "EnterHost"; public override PSHostUserInterface UI => EnterUI;
    public override Version Version => new Version(1, 0);
    public override void EnterNestedPrompt() { } public override void ExitNestedPrompt() { } public override void NotifyBeginApplication() { } public override void NotifyEndApplication() { } public override void SetShouldExit(int c) { }
}}
"@
        }
        $root = New-TrainingCopy
        $before = Get-TreeSnapshot $root
        $enter = [AfmlTest.EnterHost]::new()
        $rs = [runspacefactory]::CreateRunspace($enter)
        $rs.Open()
        try {
            $ps = [powershell]::Create()
            $ps.Runspace = $rs
            $null = $ps.AddScript("Import-Module '$((Get-Module Afml).Path)'; Start-AfmlSession -TrainId '$DemoId' -TrainingRoot '$root' -Live -Endpoint 'http://127.0.0.1:9'")
            $out = $ps.Invoke()
            $ps.Streams.Error | Should -BeNullOrEmpty
            $out | Should -BeNullOrEmpty
        } finally { $rs.Dispose() }
        $enter.EnterUI.Defaults | Should -HaveCount 1 -Because 'the cmdlet asked once'
        $enter.EnterUI.Defaults[0] | Should -Match '^&?No$'
        Get-TreeSnapshot $root | Should -Be $before
    }
    It '-Live in a non-interactive host without -Force is LiveNotConfirmed, before anything is touched' {
        $root = New-TrainingCopy
        $before = Get-TreeSnapshot $root
        $out = Invoke-ChildPwsh -NonInteractive -Script @"
try { Start-AfmlSession -TrainId '$DemoId' -TrainingRoot '$root' -Live -Endpoint 'http://127.0.0.1:9' -ErrorAction Stop } catch { 'id=' + `$_.FullyQualifiedErrorId }
"@
        $out | Should -Contain 'id=LiveNotConfirmed,Afml.PowerShell.Commands.StartAfmlSessionCommand'
        Get-TreeSnapshot $root | Should -Be $before
    }
}

Describe 'Views' {
    BeforeAll {
        $script:Root = New-TrainingCopy
        $script:Summary = Start-AfmlSession -TrainId $DemoId -TrainingRoot $Root -Replay $Candles -From 2025-01-01 -MaxSteps 30 -Quiet 3>$null
    }
    It 'the registro table fits 120 columns with its DD% column, ISO-8601 UTC times and invariant numbers' {
        $text = $Summary | Import-AfmlRegistro | Select-Object -First 5 | Out-String -Width 120
        $lines = $text -split "`r?`n"
        ($lines | Where-Object { $_ -match 'Paso' }) | Should -Match 'DD%'
        ($lines | Measure-Object -Maximum Length).Maximum | Should -BeLessOrEqual 120
        $text | Should -Match '2025-01-01T01:00Z'
        $text | Should -Match 'Session: \d{8}_\d{6}'
    }
    It 'the summary shows its full registro path and the operations readably' {
        $text = $Summary | Out-String -Width 400
        $text | Should -Match ([regex]::Escape($Summary.RegistroPath))
        $text | Should -Not -Match '\{\[\w+, \d+\]'
        $text | Should -Match '(abrir_long|abrir_short|aumento_posicion|reduccion_parcial|cierre_completo|mantener) \d+'
        $text | Should -Match '2025-01-01T00:00Z'
    }
    It 'the metrics list reads as sentences, the ONNX conversion has a view' {
        $text = $Summary | Measure-AfmlRegistro | Format-List | Out-String -Width 200
        $text | Should -Match 'Sharpe\s+: -?\d+\.\d\d annualised'
        $text | Should -Match 'Actions\s+: (long|short|mantener) \d+'
        $conversion = ConvertTo-AfmlOnnx -TrainId $DemoId -TrainingRoot $Root | Out-String
        $conversion | Should -Match 'Result\s+: (converted|up to date)'
    }
}

Describe 'Start-AfmlSession in pipelines and jobs' {
    BeforeAll {
        $script:OtherId = 'train_BTCUSDT_20230101_20241231_lr0.0003_bs256_ws30_20261124_221300'
        # Two trainings under one root (the second a renamed copy of the demo).
        function script:New-TwoTrainings {
            $root = New-TrainingCopy
            Copy-Item -Recurse (Join-Path $root $DemoId) (Join-Path $root $OtherId)
            $root
        }
    }
    It 'runs one session per training from the pipeline, in order, each to its own end' {
        $root = New-TwoTrainings
        $out = @(Get-AfmlTraining -TrainingRoot $root -WarningAction SilentlyContinue |
            Start-AfmlSession -TrainingRoot $root -Replay $Candles -MaxSteps 12 -Quiet -WarningAction SilentlyContinue)
        $out | Should -HaveCount 2
        $out.TrainId | Should -Be @($DemoId, $OtherId)
        $out.StopReason | Should -Be @('MaxSteps', 'MaxSteps')
        $out.Steps | Should -Be @(12, 12)
        $out[0].RegistroPath | Should -BeLike "*$DemoId*"
        $out[1].RegistroPath | Should -BeLike "*$OtherId*"
        foreach ($id in $DemoId, $OtherId) {
            $status = Get-ChildItem (Join-Path $root "$id/produccion") -Filter 'sesion_*.status.json'
            $status | Should -HaveCount 1
            (Get-Content $status.FullName -Raw | ConvertFrom-Json).state | Should -Be 'Stopped'
        }
        $out[0].EndedAt | Should -BeLessOrEqual $out[1].StartedAt -Because 'the second starts after the first ended'
    }
    It '-PassThru streams each step''s typed registro row, then the summary' {
        $root = New-TrainingCopy
        $out = @(Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Replay $Candles -MaxSteps 15 -Quiet -PassThru -WarningAction SilentlyContinue)
        $out | Should -HaveCount 16
        $rows = $out[0..14]
        $summary = $out[-1]
        $rows | ForEach-Object { $_.GetType().Name | Should -Be 'RegistroRow' }
        $summary.GetType().Name | Should -Be 'SessionSummary'
        $rows.Paso | Should -Be (1..15)
        $rows[0].SessionId | Should -Be ([IO.Path]::GetFileNameWithoutExtension($summary.RegistroPath) -replace '^registro_')
        $rows[0].SourcePath | Should -Be $summary.RegistroPath
        # The very rows the file holds.
        $fromFile = @($summary | Import-AfmlRegistro)
        $rows.Equity | Should -Be $fromFile.Equity
        $rows.Timestamp | Should -Be $fromFile.Timestamp
    }
    It '-AsJob: two replay jobs in one process both complete, each with its own registro' {
        $root = New-TwoTrainings
        $jobs = @(
            Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Replay $Candles -MaxSteps 150 -AsJob -WarningAction SilentlyContinue
            Start-AfmlSession -TrainId $OtherId -TrainingRoot $root -Replay $Candles -MaxSteps 120 -AsJob -WarningAction SilentlyContinue
        )
        try {
            $jobs | ForEach-Object { $_.GetType().Name | Should -Be 'AfmlSessionJob' }
            @(Get-Job -Id $jobs.Id) | Should -HaveCount 2
            $jobs | Wait-Job -Timeout 120 | Should -HaveCount 2
            $jobs.State | Should -Be @('Completed', 'Completed')
            $first = @(Receive-Job $jobs[0] -InformationVariable info1 -WarningAction SilentlyContinue 6>$null)
            $second = @(Receive-Job $jobs[1] -WarningAction SilentlyContinue 6>$null)
            $first | Should -HaveCount 1
            $first[0].TrainId | Should -Be $DemoId
            $first[0].Steps | Should -Be 150
            $second[0].TrainId | Should -Be $OtherId
            $second[0].Steps | Should -Be 120
            $first[0].RegistroPath | Should -Not -Be $second[0].RegistroPath
            @(Import-AfmlRegistro $first[0].RegistroPath) | Should -HaveCount 150
            @(Import-AfmlRegistro $second[0].RegistroPath) | Should -HaveCount 120
            # The session's log lines come back through Receive-Job, as the console would show them.
            ($info1.MessageData.Message | Where-Object { $_ -like 'INFO - *PASO*' }) | Should -Not -BeNullOrEmpty
            $jobs[0].HasMoreData | Should -BeFalse
        } finally { $jobs | Remove-Job -Force }
    }
    It '-AsJob: an emergency ends the job Failed with SessionHalted after the summary' {
        $root = New-TrainingCopy
        $cfg = Join-Path $root "$DemoId/config_metadata.yaml"
        (Get-Content $cfg) -replace '^(\s*max_drawdown_permitido:).*$', '$1 0.01' | Set-Content $cfg
        $job = Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Replay $Candles -MaxSteps 300 -Quiet -AsJob -WarningAction SilentlyContinue
        try {
            $job | Wait-Job -Timeout 120 | Should -Not -BeNullOrEmpty
            $job.State | Should -Be 'Failed'
            $out = Receive-Job $job -ErrorVariable e -ErrorAction SilentlyContinue -WarningAction SilentlyContinue 6>$null
            $out.StopReason | Should -Be 'Emergency'
            $e[0].FullyQualifiedErrorId | Should -BeLike 'SessionHalted*'
        } finally { $job | Remove-Job -Force }
    }
}

Describe 'Stop-Job on a running session (fake Binance)' {
    BeforeAll { $script:Fake = Start-FakeBinance }
    AfterAll { Stop-FakeBinance $Fake.Process }
    It 'ends it cleanly through the session''s stop path: Stopped, with its summary and a final status' {
        $root = New-TrainingCopy
        $job = Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Endpoint $Fake.Endpoint -Credential $Fake.Credential -AsJob -Quiet -WarningAction SilentlyContinue
        try {
            $job.State | Should -Be 'Running'
            # Bounded wait for its first decisions on the fake's candles (1 per second).
            $deadline = [DateTime]::UtcNow.AddSeconds(90)
            do { Start-Sleep -Milliseconds 250; $st = Get-AfmlStatus -TrainingRoot $root -WarningAction SilentlyContinue } until (($st -and $st.Step -ge 2) -or [DateTime]::UtcNow -gt $deadline -or $job.State -ne 'Running')
            $st.Step | Should -BeGreaterOrEqual 2 -Because "job state $($job.State): $($job.StatusMessage)"
            $job | Stop-Job
            $job.State | Should -Be 'Stopped'
            $out = @(Receive-Job $job -WarningAction SilentlyContinue 6>$null)
            $summary = $out | Where-Object { $_.GetType().Name -eq 'SessionSummary' }
            $summary.StopReason | Should -Be 'Cancelled'
            $summary.StopDetail | Should -Be 'Stop-Job'
            $summary.Steps | Should -BeGreaterOrEqual 2
            $status = Get-AfmlStatus -TrainingRoot $root -All
            $status.State | Should -Be 'Stopped'
            $status.StopReason | Should -Match 'Stop-Job'
        } finally { $job | Remove-Job -Force }
    }
    It 'Ctrl+C in a pipeline of trainings stops the current session cleanly and starts none of the rest' -Skip:$IsWindows {
        $root = New-TrainingCopy
        $other = 'train_BTCUSDT_20230101_20241231_lr0.0003_bs256_ws30_20261124_221300'
        Copy-Item -Recurse (Join-Path $root $DemoId) (Join-Path $root $other)
        # A child pwsh running the pipeline; SIGINT is what Ctrl+C sends it.
        $script = @"
Import-Module '$((Get-Module Afml).Path)'
`$c = [pscredential]::new('$($Fake.Key)', (ConvertTo-SecureString '$($Fake.Secret)' -AsPlainText -Force))
Get-AfmlTraining -TrainingRoot '$root' -WarningAction SilentlyContinue | Start-AfmlSession -TrainingRoot '$root' -Endpoint '$($Fake.Endpoint)' -Credential `$c -Quiet -WarningAction SilentlyContinue
"@
        $child = Start-ChildPwsh $script
        $p = $child.Process
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(90)
            do { Start-Sleep -Milliseconds 250; $st = Get-AfmlStatus -TrainingRoot $root -TrainId $DemoId -WarningAction SilentlyContinue } until (($st -and $st.Step -ge 1) -or [DateTime]::UtcNow -gt $deadline -or $p.HasExited)
            $st.Step | Should -BeGreaterOrEqual 1 -Because 'the first session must be trading before Ctrl+C'
            & kill -INT $p.Id
            $p.WaitForExit(60000) | Should -BeTrue -Because 'Ctrl+C ends the pipeline'
            $text = $child.Out.Result + $child.Err.Result
        } finally {
            if (-not $p.HasExited) { $p.Kill($true) }
            $p.Dispose()
        }
        $first = Get-AfmlStatus -TrainingRoot $root -TrainId $DemoId -All
        $first.State | Should -Be 'Stopped' -Because $text
        $first.StopReason | Should -Match '^Cancelled'
        Join-Path $root "$other/produccion" | Should -Not -Exist -Because 'the rest of the pipeline never starts'
    }
}

Describe 'Exit codes' {
    BeforeAll {
        # pwsh -Command with a script; returns its exit code and output.
        function script:Invoke-PwshCommand([string] $Script) {
            $exe = [Environment]::ProcessPath
            $prefix = [IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet' ? @((Join-Path $PSHOME 'pwsh.dll')) : @()
            $modules = (Get-Module Afml).ModuleBase | Split-Path
            $full = "`$env:PSModulePath = '$modules' + [IO.Path]::PathSeparator + `$env:PSModulePath; Import-Module Afml; $Script"
            $out = & $exe @prefix -NoProfile -NonInteractive -Command $full 2>&1 | ForEach-Object { "$_" }
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $out -join "`n" }
        }
    }
    It 'a clean end exits 0' {
        $root = New-TrainingCopy
        $r = Invoke-PwshCommand "Start-AfmlSession -TrainId '$DemoId' -TrainingRoot '$root' -Replay '$Candles' -MaxSteps 5 -Quiet 3>`$null | Out-Null"
        $r.ExitCode | Should -Be 0 -Because $r.Output
    }
    It 'an emergency exits 1 with SessionHalted, after the summary; $? is false' {
        $root = New-TrainingCopy
        $cfg = Join-Path $root "$DemoId/config_metadata.yaml"
        (Get-Content $cfg) -replace '^(\s*max_drawdown_permitido:).*$', '$1 0.01' | Set-Content $cfg
        $r = Invoke-PwshCommand "`$ErrorView = 'NormalView'; Start-AfmlSession -TrainId '$DemoId' -TrainingRoot '$root' -Replay '$Candles' -MaxSteps 300 -Quiet 3>`$null | ForEach-Object { 'SUMMARY ' + `$_.StopReason }"
        $r.ExitCode | Should -Be 1 -Because $r.Output
        $r.Output | Should -Match 'SUMMARY Emergency'
        $r.Output | Should -Match 'FullyQualifiedErrorId : SessionHalted,Afml.PowerShell.Commands.StartAfmlSessionCommand'
        $r.Output.IndexOf('SUMMARY') | Should -BeLessThan $r.Output.IndexOf('Session of') -Because 'the error follows the summary'
        # In this process: the summary is still returned, $? is false, the error names the id and carries the summary.
        $root = New-TrainingCopy
        $cfg = Join-Path $root "$DemoId/config_metadata.yaml"
        (Get-Content $cfg) -replace '^(\s*max_drawdown_permitido:).*$', '$1 0.01' | Set-Content $cfg
        $s = Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Replay $Candles -MaxSteps 300 -Quiet -ErrorVariable e -ErrorAction SilentlyContinue 3>$null
        $ok = $?
        $ok | Should -BeFalse
        $s.StopReason | Should -Be 'Emergency'
        $e | Should -HaveCount 1
        $e[0].FullyQualifiedErrorId | Should -Be 'SessionHalted,Afml.PowerShell.Commands.StartAfmlSessionCommand'
        $e[0].TargetObject.RegistroPath | Should -Be $s.RegistroPath
        "$e" | Should -Match 'max_drawdown_excedido'
    }
}

Describe 'Which end is which error' {
    It 'clean ends are no error; the emergency protocol is SessionHalted; a fault that ended the session is SessionFailed' {
        $s = Start-AfmlSession -TrainId $DemoId -TrainingRoot (New-TrainingCopy) -Replay $Candles -MaxSteps 3 -Quiet 3>$null
        [Afml.PowerShell.Commands.SessionOutcome]::ErrorFor($s) | Should -BeNullOrEmpty
        function script:As([string] $Reason, [string] $Detail) {
            $c = $s.'<Clone>$'()
            $c.StopReason = $Reason
            $c.StopDetail = $Detail
            [Afml.PowerShell.Commands.SessionOutcome]::ErrorFor($c)
        }
        foreach ($clean in 'Completed', 'Cancelled', 'Signal', 'OperatorStop') { As $clean $null | Should -BeNullOrEmpty -Because $clean }
        (As 'Emergency' 'max_drawdown_excedido: drawdown 26.22% >= límite 25.95%').FullyQualifiedErrorId | Should -Be 'SessionHalted'
        (As 'Emergency' 'solicitud_operador: test (ops@host)').FullyQualifiedErrorId | Should -Be 'SessionHalted'
        $failed = As 'Emergency' 'fallo_interno: IOException: No space left on device'
        $failed.FullyQualifiedErrorId | Should -Be 'SessionFailed'
        $failed.TargetObject.StopDetail | Should -Match 'No space left'
        "$failed" | Should -Match 'failed'
    }
}

Describe 'ConvertTo-Json of Afml objects' {
    It 'writes states as strings: status fields are strings, the summary''s StopReason with -EnumsAsStrings' {
        $root = New-TrainingCopy
        $s = Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Replay $Candles -MaxSteps 3 -Quiet 3>$null
        ($s | ConvertTo-Json -EnumsAsStrings | ConvertFrom-Json).StopReason | Should -Be 'MaxSteps'
        $status = Get-AfmlStatus -TrainingRoot $root -All | ConvertTo-Json | ConvertFrom-Json
        $status.State | Should -Be 'Stopped'
        $status.TradingState | Should -Be 'ACTIVE'
        $check = (Test-AfmlTraining -TrainId $DemoId -TrainingRoot $root).Checks | ConvertTo-Json -EnumsAsStrings | ConvertFrom-Json
        $check[0].Status | Should -BeIn @('Passed', 'Warning', 'Failed')
    }
}

Describe 'Get-AfmlStatus views' {
    BeforeAll {
        $script:ViewRoot = New-TrainingCopy
        $null = Start-AfmlSession -TrainId $DemoId -TrainingRoot $ViewRoot -Replay $Candles -From 2025-01-01 -MaxSteps 3 -Quiet 3>$null
        function script:Get-GuardedStatus {
            param([switch] $NoGuard)
            $s = (Get-AfmlStatus -TrainingRoot $ViewRoot -All | Select-Object -First 1).psobject.BaseObject
            if (-not $NoGuard) {
                # A Binance session's guard, as its status file carries it (a replay has none): set through the type.
                $t = $s.GetType()
                $t.GetProperty('ProtectiveStopPrice').SetValue($s, [decimal]'95000.5')
                $t.GetProperty('ProtectiveStopDistancePct').SetValue($s, [double]4.25)
                $t.GetProperty('ProtectiveStopId').SetValue($s, 'afml-x-7-ps/3000000001')
                $t.GetProperty('LastMarkPrice').SetValue($s, [double]99100.25)
                $t.GetProperty('LastMarkAt').SetValue($s, [DateTimeOffset]::UtcNow.AddSeconds(-7))
            }
            $s
        }
    }
    It 'the default table shows the stop with its room and the last mark with its age, in under 120 columns' {
        $lines = @((Get-GuardedStatus | Out-String -Width 250) -split "\r?\n" | Where-Object { $_.Trim() })
        $lines[0] | Should -Match 'Position\s+Stop \(room\)\s+Mark \(age\)$'
        $lines[2] | Should -Match '95000\.50 \(4\.3%\)\s+99100\.25 \([7-9]s\)$'
        ($lines | Measure-Object -Property Length -Maximum).Maximum | Should -BeLessOrEqual 120 -Because 'the board stays readable in a normal terminal'
        $none = @((Get-GuardedStatus -NoGuard | Out-String -Width 250) -split "\r?\n" | Where-Object { $_.Trim() })
        $none[2] | Should -Match '\s-\s+-$' -Because 'a session without a guard says so instead of leaving blanks'
    }
    It 'Format-List shows the guard in full: price, room, id; mark price, its UTC time and age' {
        $text = Get-GuardedStatus | Format-List | Out-String -Width 250
        $text | Should -Match 'ProtectiveStop\s+: 95000\.50, 4\.25 % away · afml-x-7-ps/3000000001'
        $text | Should -Match 'LastMark\s+: 99100\.25 at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \([7-9]s ago\)'
        $text | Should -Match 'Drawdown\s+: \d+\.\d\d % \(limit 25\.95 %\)'
        (Get-GuardedStatus -NoGuard | Format-List | Out-String) | Should -Match 'ProtectiveStop\s+: none'
    }
}

Describe 'Culture and time zone' {
    It 'key cmdlets give the same figures and text under <Culture> in Europe/Madrid, -From/-To read as UTC' -ForEach @(@{ Culture = 'de-DE' }, @{ Culture = 'es-ES' }) {
        $root = New-TrainingCopy
        $out = Invoke-ChildPwsh -Environment @{ TZ = 'Europe/Madrid' } -Script @"
[cultureinfo]::CurrentCulture = '$Culture'; [cultureinfo]::CurrentUICulture = '$Culture'
`$s = Start-AfmlSession -TrainId '$DemoId' -TrainingRoot '$root' -Replay '$Candles' -From 2025-01-01 -To '2025-01-01 23:00' -Quiet 3>`$null
'offset=' + [TimeZoneInfo]::Local.GetUtcOffset([datetime]'2025-01-01').TotalHours
'candles=' + `$s.FirstCandle.UtcDateTime.ToString('o') + '/' + `$s.LastCandle.UtcDateTime.ToString('o')
`$m = `$s | Measure-AfmlRegistro
`$rows = `$s | Import-AfmlRegistro
`$png = `$s | Export-AfmlChart -MaxDrawdown 0.3
'steps=' + `$m.Steps
'first=' + `$rows[0].Timestamp.UtcDateTime.ToString('o')
'equity=' + `$m.FinalEquity.ToString('R', [cultureinfo]::InvariantCulture)
'png=' + (Test-Path `$png.FullName)
'csvline=' + (Get-Content `$s.RegistroPath -TotalCount 2)[1]
(`$rows | Select-Object -First 2 | Out-String -Width 120).Trim()
Update-TypeData -TypeName Afml.Core.Session.SessionStatus -MemberType NoteProperty -MemberName ProtectiveStopPrice -Value 95000.5 -Force
Update-TypeData -TypeName Afml.Core.Session.SessionStatus -MemberType NoteProperty -MemberName ProtectiveStopDistancePct -Value 1.234 -Force
Update-TypeData -TypeName Afml.Core.Session.SessionStatus -MemberType NoteProperty -MemberName ProtectiveStopProblem -Value 'a close-all stop placed by hand rests' -Force
Get-AfmlStatus -TrainingRoot '$root' -All -Watch -Count 2 -Interval 0.05
`$r = [Activator]::CreateInstance((Get-Command Invoke-AfmlEmergency).OutputType[0].Type)
`$r.TrainId = 'x'; `$r.SessionId = 'y'; `$r.Mode = 'Direct'; `$r.State = 'FLAT'; `$r.ClosedQuantity = 0.218; `$r.At = [DateTimeOffset]'2026-12-02T16:32:27Z'; `$r.ProtectiveStop = 'cancelled afml-x-ps'
`$r | Format-List | Out-String -Width 120
"@
        $out | Should -Contain 'offset=1' -Because 'the child really runs in Madrid time'
        $out | Should -Contain 'candles=2025-01-01T00:00:00.0000000Z/2025-01-01T23:00:00.0000000Z' -Because '-From/-To without an offset are UTC'
        $out | Should -Contain 'steps=24'
        $out | Should -Contain 'first=2025-01-01T01:00:00.0000000Z'
        $out | Should -Contain 'png=True'
        $csv = ($out | Where-Object { $_ -like 'csvline=*' }) -replace '^csvline=', ''
        $csv | Should -Match '^2025-01-01T01:00:00\.000Z,1,-?\d+\.\d+,\d+\.\d+,'
        ($out -join "`n") | Should -Match '2025-01-01T01:00Z\s+-?\d\.\d{4}\s+\d+\.\d\d'

        # Get-AfmlStatus -Watch (redirected: one frame after another), invariant numbers and ISO-8601 UTC times.
        $text = $out -join "`n"
        ([regex]::Matches($text, 'Afml · 1 session\(s\) · all sessions · \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ')).Count | Should -Be 2
        $text | Should -Match 'step 24 · last candle 2025-01-01T23:00:00Z · price \d+\.\d\d'
        $text | Should -Match 'equity \d+\.\d\d · drawdown \d+\.\d\d% \[[█░]{20}\] limit 25\.95%'
        $text | Should -Match 'position (flat|long \d|short \d)'
        $text | Should -Match 'guard protective stop 95000\.50 \(1\.23 % away\) · problem: a close-all stop placed by hand rests' -Because 'guard fields are shown when a status carries them'
        $text | Should -Match 'ProtectiveStop\s+: cancelled afml-x-ps'
        # The EmergencyResult list: At in ISO-8601 UTC, quantities invariant.
        $text | Should -Match 'At\s+: 2026-12-02 16:32:27Z'
        $text | Should -Match 'ClosedQuantity\s+: 0\.218'

        $here = Start-AfmlSession -TrainId $DemoId -TrainingRoot (New-TrainingCopy) -Replay $Candles -From 2025-01-01 -MaxSteps 24 -Quiet 3>$null | Measure-AfmlRegistro
        $out | Should -Contain ('equity=' + $here.FinalEquity.ToString('R', [cultureinfo]::InvariantCulture)) -Because 'the same decisions in any culture'
    }
}

Describe 'Help' {
    It 'every cmdlet has an example, INPUTS and related links' {
        foreach ($cmd in Get-Command -Module Afml) {
            $help = Get-Help $cmd.Name -Full
            @($help.examples.example).Count | Should -BeGreaterOrEqual 1 -Because $cmd.Name
            $help.inputTypes.inputType | Should -Not -BeNullOrEmpty -Because $cmd.Name
            @($help.relatedLinks.navigationLink.linkText) | Should -Contain 'about_Afml' -Because $cmd.Name
        }
        @((Get-Help Measure-AfmlRegistro).relatedLinks.navigationLink.linkText) | Should -Contain 'Export-AfmlChart'
        (Get-Help Export-AfmlChart -Full).inputTypes.inputType.description.Text | Should -Match '-Path'
    }
    It 'shows default values' {
        (Get-Help Start-AfmlSession -Parameter TrainingRoot).defaultValue | Should -Be 'entrenamientos'
        (Get-Help Start-AfmlSession -Parameter InitialBalance).defaultValue | Should -Be 'portafolio.capital_inicial'
        (Get-Help Export-AfmlChart -Parameter Width).defaultValue | Should -Be '1400'
        (Get-Help Export-AfmlChart -Parameter Force).defaultValue | Should -Be 'False'
        (Get-Help Export-AfmlChart -Parameter Path).globbing | Should -Be 'true'
    }
}
