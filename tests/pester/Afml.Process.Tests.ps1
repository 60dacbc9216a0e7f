#Requires -Version 7.6
# What every session of one PowerShell process shares: Binance counts weight, 429s and 418 bans per IP, so the
# module hands one per-host rate-gate registry to every session and emergency it starts (issue 9).

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module Afml -Force -ErrorAction Stop
}

Describe 'One rate gate per Binance host for the whole process' {
    It 'holds a new session back under a ban the process already met at that host, sending nothing' {
        # Nothing listens at this address: a session with a gate of its own would try to connect and fail on the
        # connection; a session on the process's gate never sends, because of the ban.
        $endpoint = [uri]'http://127.0.0.1:2'
        $gate = [Afml.PowerShell.Hosting.AfmlProcess]::GateFor($endpoint)
        $gate.OnBanned([TimeSpan]::FromDays(365), [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds(), $null)
        $refusedBefore = $gate.RefusedDuringBan
        $root = New-TrainingCopy
        $credential = [pscredential]::new('afml-process-key', (ConvertTo-SecureString 'afml-process-secret' -AsPlainText -Force))

        { Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Endpoint $endpoint -Credential $credential -MaxSteps 1 -Quiet -ErrorAction Stop } |
            Should -Throw '*banned*'
        { Start-AfmlSession -TrainId $DemoId -TrainingRoot $root -Endpoint $endpoint -Paper -MaxSteps 1 -Quiet -ErrorAction Stop } |
            Should -Throw '*banned*'

        $gate.RefusedDuringBan | Should -BeGreaterThan $refusedBefore
        [Afml.PowerShell.Hosting.AfmlProcess]::GateFor($endpoint) | Should -Be $gate
    }
}
