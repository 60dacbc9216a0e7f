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
