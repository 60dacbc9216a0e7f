#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests and demonstrates the Afml module.
.DESCRIPTION
    Build  - compiles and lays the module out in out/Afml (cmdlets at the root, engine and third-party
             assemblies in Dependencies/, native libraries for this platform only).
    Test   - Build, then the xunit suite and the Pester suite (in a child pwsh that imports the built module);
             the last line is "N passed, N failed, N skipped" over both.
    Demo   - Build, then replays the bundled demo training on the bundled BTCUSDT candles (offline, no keys).
    Bench  - the performance report (replay candles/s and peak RSS at 10k/100k/1M, stage split, sessions 1/2/4,
             close -> order on the fake Binance, forward/decision p50/p99); written to out/bench. Not part of Test:
             speed targets live here, not in timed tests.
    Clean  - removes out/ and every bin/ and obj/.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 Demo
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$env:POWERSHELL_TELEMETRY_OPTOUT = '1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:ORT_DISABLE_TELEMETRY = '1'
$env:NO_COLOR = '1'
$env:DOTNET_NOLOGO = '1'

$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleDir = Join-Path $out 'Afml'
$demoTrainId = 'train_BTCUSDT_20230101_20241231_lr0.0003_bs256_ws30_20261124_221259'

function Invoke-Native {
    param([string] $What, [scriptblock] $Command)
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)." }
}

# The running pwsh, as a command for child processes: under `dotnet pwsh` the process is dotnet itself.
function Invoke-ChildPwsh {
    param([string] $Script)
    $exe = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') {
        & $exe (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command $Script
    } else {
        & $exe -NoProfile -NonInteractive -Command $Script
    }
}

function Get-Rid {
    $arch = [System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture.ToString().ToLowerInvariant()
    $os = if ($IsWindows) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' }
    "$os-$arch"
}

function Invoke-Build {
    $rid = Get-Rid
    $publish = Join-Path $out 'publish'
    if (Test-Path $publish) { Remove-Item $publish -Recurse -Force }
    Invoke-Native 'dotnet publish' {
        # ReadyToRun (our assemblies only, Directory.Build.targets): a session's first steps run precompiled code
        # instead of waiting for the JIT inside pwsh (issue 12: a replay's first step JIT-compiled ~950 methods).
        dotnet publish (Join-Path $root 'src/Afml.PowerShell/Afml.PowerShell.csproj') -c $Configuration -r $rid --self-contained false -p:PublishReadyToRun=true -o $publish --nologo -v:q
    }
    if (Test-Path $moduleDir) { Remove-Item $moduleDir -Recurse -Force }
    $deps = New-Item -ItemType Directory -Force (Join-Path $moduleDir 'Dependencies')
    foreach ($file in Get-ChildItem $publish -File) {
        if ($file.Extension -eq '.json') { continue } # deps/runtimeconfig files: the host's, not ours
        $target = if ($file.Name -like 'Afml.PowerShell.*') { $moduleDir } else { $deps.FullName }
        Copy-Item $file.FullName $target
    }
    if (Test-Path (Join-Path $publish 'runtimes')) { Copy-Item (Join-Path $publish 'runtimes') $deps.FullName -Recurse }
    # Native libraries published next to the assemblies (RID-specific publish) stay in Dependencies/ too.
    $version = ([xml](Get-Content (Join-Path $root 'Directory.Build.props'))).Project.PropertyGroup.AfmlVersion | Where-Object { $_ } | Select-Object -First 1
    (Get-Content (Join-Path $root 'Afml.psd1') -Raw).Replace('{{ModuleVersion}}', $version) |
        Set-Content (Join-Path $moduleDir 'Afml.psd1') -NoNewline
    Copy-Item (Join-Path $root 'src/Afml.PowerShell/Afml.format.ps1xml') $moduleDir
    Copy-Item (Join-Path $root 'src/Afml.PowerShell/en-US') $moduleDir -Recurse
    Remove-Item $publish -Recurse -Force
    # Get-Help from the cmdlets' doc comments; the raw doc XML is only its input.
    $docXml = Join-Path $moduleDir 'Afml.PowerShell.xml'
    Invoke-ChildPwsh "& '$(Join-Path $root 'tools/Help/New-AfmlHelp.ps1')' -ModuleDir '$moduleDir' -DocXml '$docXml'"
    if ($LASTEXITCODE -ne 0) { throw "Help generation failed (exit code $LASTEXITCODE)." }
    Remove-Item $docXml
    Write-Host "Module built: $moduleDir (version $version, $rid)"
}

function Get-PesterPath {
    Invoke-Native 'dotnet restore (Pester)' { dotnet restore (Join-Path $root 'tools/Pester/Pester.Tools.csproj') --nologo -v:q }
    $packages = (dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    $path = Join-Path $packages.Trim() 'pester/6.2.0/tools/Pester.psd1'
    if (-not (Test-Path $path)) { throw "Pester 6.2.0 not found at $path after restore." }
    $path
}

function Invoke-Test {
    Invoke-Build
    $results = Join-Path $out 'test-results'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    New-Item -ItemType Directory -Force $results | Out-Null
    # The fewest tests each runner must execute (tests/test-floor.json): a run that quietly lost tests is red.
    $floor = Get-Content (Join-Path $root 'tests/test-floor.json') -Raw | ConvertFrom-Json -AsHashtable
    $problems = [System.Collections.Generic.List[string]]::new()

    # 1. xunit (tests that measure something, e.g. the fault suite, append one line each to a report there).
    # A test that hangs is ended by the blame collector (the run then fails); override with AFML_TEST_HANG_TIMEOUT.
    $env:AFML_TEST_REPORT_DIR = $results
    $hang = if ($env:AFML_TEST_HANG_TIMEOUT) { $env:AFML_TEST_HANG_TIMEOUT } else { '10m' }
    $trx = 'unit.trx'
    dotnet test (Join-Path $root 'tests/unit/Afml.Tests.csproj') -c $Configuration --nologo -v:q --logger "trx;LogFileName=$trx" --logger 'console;verbosity=minimal' --results-directory $results --blame-hang-timeout $hang --blame-hang-dump-type none
    $unitExit = $LASTEXITCODE
    $trxFile = Join-Path $results $trx
    $unit = @{ Passed = 0; Failed = 0; Skipped = 0; NotExecuted = 0 }
    if (Test-Path $trxFile) {
        $run = ([xml](Get-Content $trxFile)).TestRun
        $c = $run.ResultSummary.Counters
        # NotExecuted is a test that did not run (xunit's skips land there too): never green, counted apart.
        $unit = @{ Passed = [int]$c.passed; Failed = [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted; Skipped = 0; NotExecuted = [int]$c.notExecuted }
        if ($unit.NotExecuted -gt 0) { $problems.Add("xunit: $($unit.NotExecuted) test(s) not executed") }
        # A crashed or aborted test host can leave a TRX with 0 failed: its outcome, its messages and the exit code say so.
        $messages = @($run.SelectNodes("//*[local-name()='RunInfo']/*[local-name()='Text']") | ForEach-Object { $_.InnerText }) -join ' '
        $aborted = $run.ResultSummary.outcome -notin @('Completed', 'Passed', 'Failed') -or $messages -match 'crash|abort|hang'
        if ($aborted -or ($unitExit -ne 0 -and $unit.Failed -eq 0)) {
            $problems.Add("xunit: the test host crashed, hung or was aborted (exit code $unitExit, outcome $($run.ResultSummary.outcome)) $messages".Trim())
            $unit.Failed++
        }
    } elseif ($unitExit -ne 0) {
        $problems.Add("xunit: no results (exit code $unitExit): the build or the runner itself failed")
        $unit.Failed = 1
    } else {
        $problems.Add('xunit: no results file although the run exited 0')
        $unit.Failed = 1
    }

    # 2. Pester, in a child pwsh with the built module first on PSModulePath, ended if it runs past its bound.
    $pester = Get-PesterPath
    $summary = Join-Path $results 'pester.json'
    $childScript = Join-Path $results 'pester-run.ps1'
    @"
`$ErrorActionPreference = 'Stop'
`$env:PSModulePath = '$out' + [IO.Path]::PathSeparator + `$env:PSModulePath
Import-Module '$pester' -Force
`$cfg = New-PesterConfiguration
`$cfg.Run.Path = '$(Join-Path $root 'tests/pester')'
`$cfg.Run.PassThru = `$true
`$cfg.Output.Verbosity = 'Normal'
`$r = Invoke-Pester -Configuration `$cfg
@{ Passed = `$r.PassedCount; Failed = `$r.FailedCount + `$r.FailedBlocksCount + `$r.FailedContainersCount; Skipped = `$r.SkippedCount; NotExecuted = `$r.NotRunCount } | ConvertTo-Json | Set-Content '$summary'
"@ | Set-Content $childScript
    $pesterMinutes = if ($env:AFML_PESTER_TIMEOUT_MINUTES) { [double]$env:AFML_PESTER_TIMEOUT_MINUTES } else { 15 }
    $start = [System.Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
    if ([IO.Path]::GetFileNameWithoutExtension($start.FileName) -eq 'dotnet') { $start.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
    foreach ($a in '-NoProfile', '-NonInteractive', '-File', $childScript) { $start.ArgumentList.Add($a) }
    $start.UseShellExecute = $false
    $child = [System.Diagnostics.Process]::Start($start)
    $ps = @{ Passed = 0; Failed = 1; Skipped = 0; NotExecuted = 0 }
    if (-not $child.WaitForExit([TimeSpan]::FromMinutes($pesterMinutes))) {
        $child.Kill($true)
        $child.WaitForExit()
        $problems.Add("Pester: still running after $pesterMinutes min; ended")
    } elseif (Test-Path $summary) {
        $ps = Get-Content $summary -Raw | ConvertFrom-Json -AsHashtable
        if ($ps.NotExecuted -gt 0) { $problems.Add("Pester: $($ps.NotExecuted) test(s) not run") }
    } else {
        $problems.Add("Pester: no summary (exit code $($child.ExitCode)): the run itself failed")
    }

    # What the tests measured, after the runs and before the summary (whose last line stays the counts).
    foreach ($report in Get-ChildItem -Path $results -Filter '*.report.txt' -File | Sort-Object Name) {
        Get-Content $report.FullName | ForEach-Object { Write-Host $_ }
    }

    foreach ($r in @(@{ Name = 'xunit'; Counts = $unit; Key = 'xunit' }, @{ Name = 'Pester'; Counts = $ps; Key = 'pester' })) {
        $executed = $r.Counts.Passed + $r.Counts.Failed
        if ($r.Counts.Passed -eq 0) { $problems.Add("$($r.Name): 0 passed") }
        if ($executed -lt $floor[$r.Key]) { $problems.Add("$($r.Name): $executed test(s) executed, fewer than the floor of $($floor[$r.Key]) in tests/test-floor.json") }
    }
    # Not-executed tests and a broken run count as failures, so the last line can never read green.
    $failed = $unit.Failed + $unit.NotExecuted + $ps.Failed + $ps.NotExecuted
    if ($problems.Count -gt 0 -and $failed -eq 0) { $failed = 1 }
    $passed = $unit.Passed + $ps.Passed
    $skipped = $unit.Skipped + $ps.Skipped
    foreach ($p in $problems) { Write-Host "FAILED RUN: $p" }
    Write-Host "xunit: $($unit.Passed) passed, $($unit.Failed) failed, $($unit.NotExecuted) not executed | Pester: $($ps.Passed) passed, $($ps.Failed) failed, $($ps.Skipped) skipped, $($ps.NotExecuted) not run"
    Write-Host "$passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    $demo = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$moduleDir'
# The demo training reaches its max_drawdown_permitido on these candles (January 2025): the session ends in the
# emergency protocol, as the original system's would, and says so with SessionHalted (the exit-code contract). The demo
# shows that end; any other error fails it.
`$summary = Start-AfmlSession -TrainId '$demoTrainId' -TrainingRoot '$(Join-Path $root 'samples/entrenamientos')' -Replay '$(Join-Path $root 'samples/data/BTCUSDT-1h.csv')' -From '2025-01-01T00:00:00Z' -ErrorAction SilentlyContinue -ErrorVariable halted
`$summary | Format-List
if (`$halted | Where-Object { `$_.FullyQualifiedErrorId -notmatch '^SessionHalted' }) { throw `$halted[0] }
if (`$halted) { Write-Host "The demo ended in the emergency protocol (SessionHalted), as expected: its training's drawdown limit is reached on these candles. A scheduled script sees exit code 1 for such an end (README, 'Exit codes')." }
"@
    Invoke-ChildPwsh $demo
    if ($LASTEXITCODE -ne 0) { throw "Demo failed (exit code $LASTEXITCODE)." }
}

function Invoke-Bench {
    # One report (issue 12): replay candles/s + peak RSS at 10k/100k/1M (a child process each), stage split of a step,
    # 1/2/4 sessions in one process, close -> order on the fake Binance, forward/decision p50/p99 (ORT vs kernel).
    # Printed and written to out/bench/report-*.md. The BenchmarkDotNet suite over the decision path runs apart:
    #   dotnet run --project bench/Afml.Benchmarks -c Release -- --filter '*' --artifacts out/bench
    $artifacts = Join-Path $out 'bench'
    $project = Join-Path $root 'bench/Afml.Benchmarks/Afml.Benchmarks.csproj'
    # The PowerShell side's fixed costs, reported apart: pwsh's own start, then Import-Module Afml on top (median of 5).
    Invoke-Build
    $manifest = Join-Path $moduleDir 'Afml.psd1'
    function Get-MedianMs([scriptblock] $Run) {
        $ms = foreach ($i in 1..5) { (Measure-Command { & $Run | Out-Null }).TotalMilliseconds }
        ($ms | Sort-Object)[2]
    }
    $pwshStart = Get-MedianMs { Invoke-ChildPwsh 'exit 0' }
    $withImport = Get-MedianMs { Invoke-ChildPwsh "Import-Module '$manifest'; exit 0" }
    $importMs = [Math]::Max(0, $withImport - $pwshStart)
    # Published ReadyToRun as the module is (build.ps1 Build), so the replay children run Afml.Core as pwsh loads it.
    $app = Join-Path $out 'bench-app'
    Invoke-Native 'bench publish' { dotnet publish $project -c Release -r (Get-Rid) --self-contained false -p:PublishReadyToRun=true -o $app --nologo -v quiet }
    $inv = [cultureinfo]::InvariantCulture
    Invoke-Native 'bench report' {
        dotnet (Join-Path $app 'Afml.Benchmarks.dll') report --out $artifacts --pwsh-start-ms $pwshStart.ToString('F0', $inv) --import-ms $importMs.ToString('F0', $inv)
    }
}

function Invoke-Clean {
    if (Test-Path $out) { Remove-Item $out -Recurse -Force }
    Get-ChildItem $root -Recurse -Directory -Include bin, obj | Remove-Item -Recurse -Force
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Bench' { Invoke-Bench }
    'Clean' { Invoke-Clean }
}
