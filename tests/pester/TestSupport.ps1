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
# A child pwsh (this host's executable) running $Script, its stdout and stderr read as it runs.
function script:Start-ChildPwsh {
    param([string] $Script)
    $psi = [Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
    if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { $psi.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
    foreach ($a in @('-NoProfile', '-NonInteractive', '-Command', $Script)) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $p = [Diagnostics.Process]::Start($psi)
    [pscustomobject]@{ Process = $p; Out = $p.StandardOutput.ReadToEndAsync(); Err = $p.StandardError.ReadToEndAsync() }
}

# Runs $Script in a child pwsh to its end, bounded (it must end within $Seconds, else killed), and returns what it
# wrote and its exit code.
function script:Invoke-ChildPwsh {
    param([string] $Script, [int] $Seconds = 120, [string] $Because = 'the child pwsh must end')
    $child = Start-ChildPwsh $Script
    try {
        $child.Process.WaitForExit($Seconds * 1000) | Should -BeTrue -Because $Because
        [pscustomobject]@{ StdOut = $child.Out.Result; StdErr = $child.Err.Result; ExitCode = $child.Process.ExitCode }
    } finally {
        if (-not $child.Process.HasExited) { $child.Process.Kill($true) }
        $child.Process.Dispose()
    }
}

# A child pwsh running a testnet session of the demo training on $Fake under $Root, up to 2000 steps; it prints
# RETURNED only if Start-AfmlSession returns (a kill -9 test expects it never does).
# A signed call as Binance documents it, timestamped on the fake's (virtual) clock.
function script:Invoke-FakeSigned {
    param($Fake, [string] $Method, [string] $Path, [string] $Query)
    $time = (Invoke-RestMethod "$($Fake.Endpoint)/fapi/v1/time" -TimeoutSec 10).serverTime
    $q = if ($Query) { "$Query&timestamp=$time" } else { "timestamp=$time" }
    $hmac = [Security.Cryptography.HMACSHA256]::new([Text.Encoding]::UTF8.GetBytes($Fake.Secret))
    try { $sig = [Convert]::ToHexStringLower($hmac.ComputeHash([Text.Encoding]::UTF8.GetBytes($q))) } finally { $hmac.Dispose() }
    Invoke-RestMethod -Method $Method "$($Fake.Endpoint)$Path`?$q&signature=$sig" -Headers @{ 'X-MBX-APIKEY' = $Fake.Key } -TimeoutSec 10
}

function script:Start-SessionChild {
    param($Fake, [string] $Root)
    Start-ChildPwsh @"
Import-Module '$((Get-Module Afml).Path)'
`$c = [pscredential]::new('$($Fake.Key)', (ConvertTo-SecureString '$($Fake.Secret)' -AsPlainText -Force))
Start-AfmlSession -TrainId '$DemoId' -TrainingRoot '$Root' -Endpoint '$($Fake.Endpoint)' -Credential `$c -MaxSteps 2000 -InformationAction SilentlyContinue | Out-Null
'RETURNED'
"@
}

# A kill -9 scenario's fault-suite line: to the host and, under build.ps1 Test (AFML_TEST_REPORT_DIR), to the report.
function script:Write-KillReport {
    param([string] $Line)
    Write-Host $Line
    if ($env:AFML_TEST_REPORT_DIR) {
        New-Item -ItemType Directory -Force $env:AFML_TEST_REPORT_DIR | Out-Null
        Add-Content (Join-Path $env:AFML_TEST_REPORT_DIR 'pester-kill.report.txt') $Line
    }
}

# -Extra: more of the standalone fake's options; -Stdin keeps its standard input open (its --commands stdin).
function script:Start-FakeBinance {
    param([int] $Speed = 3600, [decimal] $Balance = 1000000, [string[]] $Extra = @(), [switch] $Stdin)
    $fakeDll = Join-Path $RepoRoot 'tests/FakeBinance/bin/Release/net10.0/Afml.FakeBinance.dll'
    if (-not (Test-Path $fakeDll)) {
        & $Dotnet build (Join-Path $RepoRoot 'tests/FakeBinance') -c Release --nologo -v:q | Out-Null
        if ($LASTEXITCODE -ne 0 -or -not (Test-Path $fakeDll)) { throw "Could not build the fake Binance ($fakeDll)." }
    }
    $psi = [Diagnostics.ProcessStartInfo]::new($Dotnet)
    foreach ($a in @($fakeDll, '--port', '0', '--candles', $Candles, '--speed', "$Speed", '--history', '1000', '--start', '2025-01-01', '--balance', "$Balance") + $Extra) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardInput = $Stdin.IsPresent
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
