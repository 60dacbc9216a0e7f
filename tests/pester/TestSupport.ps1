# Shared by the Pester files (dot-sourced in their BeforeAll): where the repo, the demo training and the candles are,
# and a private copy of the demo training per test.

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:DemoId = 'train_BTCUSDT_20230101_20241231_lr0.0003_bs256_ws30_20261124_221259'
$script:Candles = Join-Path $RepoRoot 'samples/data/BTCUSDT-1h.csv'

# Each test works on its own copy of the demo training's own files, so nothing is written into the repo and
# nothing a demo run left in samples/ (produccion/, the ONNX cache) leaks into a test.
function script:New-TrainingCopy {
    param([string] $Name = [guid]::NewGuid().ToString('n'))
    $root = Join-Path $TestDrive $Name
    $source = Join-Path $RepoRoot "samples/entrenamientos/$DemoId"
    $target = New-Item -ItemType Directory -Force (Join-Path $root "$DemoId/modelos")
    Get-ChildItem $source -File | Copy-Item -Destination $target.Parent.FullName
    Get-ChildItem (Join-Path $source 'modelos') -File | Where-Object Name -NotLike '*.zip.onnx*' | Copy-Item -Destination $target.FullName
    $root
}

# `dotnet` itself when this pwsh runs as a dotnet tool, else the one on PATH.
$script:Dotnet = if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { [Environment]::ProcessPath } else { 'dotnet' }

# The standalone fake Binance as a child process on 127.0.0.1 (1 candle per second at the default 3600x; plenty of
# balance so every session can allocate the default capital), with the address and random key pair it printed.
# build.ps1 Test builds tests/unit (which references the fake) before Pester runs; it is built here when run alone.
function script:Start-FakeBinance {
    param([int] $Speed = 3600, [decimal] $Balance = 1000000)
    $fakeDll = Join-Path $RepoRoot 'tests/FakeBinance/bin/Release/net10.0/Afml.FakeBinance.dll'
    if (-not (Test-Path $fakeDll)) {
        & $Dotnet build (Join-Path $RepoRoot 'tests/FakeBinance') -c Release --nologo -v:q | Out-Null
        if ($LASTEXITCODE -ne 0 -or -not (Test-Path $fakeDll)) { throw "Could not build the fake Binance ($fakeDll)." }
    }
    $psi = [Diagnostics.ProcessStartInfo]::new($Dotnet)
    foreach ($a in @($fakeDll, '--port', '0', '--candles', $Candles, '--speed', "$Speed", '--history', '1000', '--start', '2025-01-01', '--balance', "$Balance")) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.UseShellExecute = $false
    $process = [Diagnostics.Process]::Start($psi)
    try {
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        $fields = @{}
        while (-not $fields.ContainsKey('API secret')) {
            $read = $process.StandardOutput.ReadLineAsync()
            $left = [int][Math]::Max(0, ($deadline - [DateTime]::UtcNow).TotalMilliseconds)
            if (-not $read.Wait($left)) { throw 'The fake Binance did not print its credentials within 60 s.' }
            if ($null -eq $read.Result) { throw "The fake Binance exited (code $($process.ExitCode)) before printing its credentials." }
            if ($read.Result -match '^\s+(REST|API key|API secret)\s+(\S+)') { $fields[$Matches[1]] = $Matches[2] }
        }
    } catch {
        Stop-FakeBinance $process
        throw
    }
    [pscustomobject]@{
        Process    = $process
        Endpoint   = $fields['REST']
        Key        = $fields['API key']
        Secret     = $fields['API secret']
        Credential = [pscredential]::new($fields['API key'], (ConvertTo-SecureString $fields['API secret'] -AsPlainText -Force))
    }
}

function script:Stop-FakeBinance {
    param([Diagnostics.Process] $Process)
    if (-not $Process) { return }
    if (-not $Process.HasExited) { $Process.Kill($true); $Process.WaitForExit(10000) | Out-Null }
    $Process.Dispose()
}
