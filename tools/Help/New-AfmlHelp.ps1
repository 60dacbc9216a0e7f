#Requires -Version 7.6
<#
.SYNOPSIS
    Writes the module's MAML help (en-US/Afml.PowerShell.dll-Help.xml) from the cmdlets' own doc comments.
.DESCRIPTION
    A binary module's Get-Help comes from a MAML file next to its assembly. Its text lives in one place, the C# doc
    comments: <para type="synopsis">/<para type="description"> and <example> on each cmdlet class, <summary> on each
    parameter property. Parameter sets, positions, pipeline input and types come from the imported module itself,
    so the help can never disagree with the cmdlets. (platyPS and XmlDoc2CmdletDoc are not on the package feed.)
    Run in a child pwsh: it imports the built module.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleDir,
    [Parameter(Mandatory)] [string] $DocXml
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$docs = @{}
foreach ($member in ([xml](Get-Content -Raw $DocXml)).doc.members.member) { $docs[$member.name] = $member }

function Get-Text([System.Xml.XmlNode] $node) {
    if ($null -eq $node) { return '' }
    ($node.InnerText -replace '\s+', ' ').Trim()
}

$module = Import-Module (Join-Path $ModuleDir 'Afml.psd1') -PassThru -Force
# -WhatIf/-Confirm stay in the help (they matter on the cmdlets that move money); the rest is <CommonParameters>.
$common = [System.Management.Automation.Cmdlet]::CommonParameters

function Get-TypeName([type] $t) {
    $u = [Nullable]::GetUnderlyingType($t)
    if ($u) { return $u.Name }
    $t.Name
}

$ns = @{ maml = 'http://schemas.microsoft.com/maml/2004/10'; command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'; dev = 'http://schemas.microsoft.com/maml/dev/2004/10' }
$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
$target = New-Item -ItemType Directory -Force (Join-Path $ModuleDir 'en-US')
$path = Join-Path $target.FullName 'Afml.PowerShell.dll-Help.xml'
$w = [System.Xml.XmlWriter]::Create($path, $settings)
function Para([string] $text) { $w.WriteStartElement('maml', 'para', $ns.maml); $w.WriteString($text); $w.WriteEndElement() }
function ParameterElement($name, $type, [bool] $required, $position, $pipeline, $description, [string[]] $aliases = @(), $default = $null, [bool] $globbing = $false) {
    $w.WriteStartElement('command', 'parameter', $ns.command)
    $w.WriteAttributeString('required', "$required".ToLowerInvariant())
    $w.WriteAttributeString('aliases', ($aliases ? ($aliases -join ', ') : 'none'))
    $w.WriteAttributeString('globbing', "$globbing".ToLowerInvariant())
    $w.WriteAttributeString('pipelineInput', $pipeline)
    $w.WriteAttributeString('position', $position)
    $w.WriteElementString('name', $ns.maml, $name)
    if ($null -ne $description) { $w.WriteStartElement('maml', 'description', $ns.maml); Para $description; $w.WriteEndElement() }
    if ($type -ne 'SwitchParameter') {
        $w.WriteStartElement('command', 'parameterValue', $ns.command)
        $w.WriteAttributeString('required', 'true')
        $w.WriteString($type)
        $w.WriteEndElement()
    }
    $w.WriteStartElement('dev', 'type', $ns.dev); $w.WriteElementString('name', $ns.maml, $type); $w.WriteEndElement()
    if ($null -ne $default) { $w.WriteElementString('defaultValue', $ns.dev, $default) }
    $w.WriteEndElement()
}

# The value a parameter has when not given: the property's initial value on a fresh cmdlet instance; for a
# nullable/empty one, the "default ..." sentence of its doc comment, else None.
function Get-DefaultValue($instance, [string] $name, [string] $text) {
    $property = $instance.GetType().GetProperty($name)
    if ($null -eq $property) { return 'None' }
    $value = $property.GetValue($instance)
    if ($value -is [System.Management.Automation.SwitchParameter]) { return $value.IsPresent ? 'True' : 'False' }
    if ($value -is [array] -and $value.Count -eq 0) { $value = $null }
    if ($value -is [string] -and $value -eq '') { $value = $null }
    if ($null -ne $value) { return [string]::Format([cultureinfo]::InvariantCulture, '{0}', $value) }
    if ($text -match '(?i)\bdefault:?\s+(.+?)(?:[;,]|\.\s|\.$|$)') { return $Matches[1].Trim() }
    'None'
}
function Pipeline($attr) {
    $by = @()
    if ($attr.ValueFromPipeline) { $by += 'ByValue' }
    if ($attr.ValueFromPipelineByPropertyName) { $by += 'ByPropertyName' }
    if ($by) { "true ($($by -join ', '))" } else { 'false' }
}

$w.WriteStartDocument()
$w.WriteStartElement('helpItems', 'http://msh')
$w.WriteAttributeString('schema', 'maml')
$missing = [System.Collections.Generic.List[string]]::new()
foreach ($cmd in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
    $type = $cmd.ImplementingType
    $typeDoc = $docs["T:$($type.FullName)"]
    $synopsis = Get-Text (${typeDoc}?.SelectSingleNode('summary/para[@type="synopsis"]'))
    $description = Get-Text (${typeDoc}?.SelectSingleNode('summary/para[@type="description"]'))
    if (-not $synopsis) { $missing.Add("$($cmd.Name): synopsis") }

    $w.WriteStartElement('command', 'command', $ns.command)
    foreach ($prefix in 'maml', 'command', 'dev') { $w.WriteAttributeString('xmlns', $prefix, $null, $ns[$prefix]) }
    $w.WriteStartElement('command', 'details', $ns.command)
    $w.WriteElementString('name', $ns.command, $cmd.Name)
    $w.WriteStartElement('maml', 'description', $ns.maml); Para $synopsis; $w.WriteEndElement()
    $w.WriteElementString('verb', $ns.command, $cmd.Verb)
    $w.WriteElementString('noun', $ns.command, $cmd.Noun)
    $w.WriteEndElement()
    $w.WriteStartElement('maml', 'description', $ns.maml); Para ($description ? $description : $synopsis); $w.WriteEndElement()

    $paramDocs = @{}
    $inputs = [ordered]@{}
    $instance = [Activator]::CreateInstance($type)
    foreach ($p in $cmd.Parameters.Values | Where-Object { $_.Name -notin $common }) {
        $property = $type.GetProperty($p.Name) # null for -WhatIf/-Confirm, which PowerShell adds
        $propertyDoc = $property ? $docs["P:$($property.DeclaringType.FullName).$($p.Name)"] : $null
        $text = Get-Text (${propertyDoc}?.SelectSingleNode('summary'))
        if (-not $text -and $p.Name -eq 'WhatIf') { $text = 'Shows what would happen without doing it.' }
        if (-not $text -and $p.Name -eq 'Confirm') { $text = 'Asks for confirmation before acting.' }
        if (-not $text) { $missing.Add("$($cmd.Name) -$($p.Name)") }
        $paramDocs[$p.Name] = $text
    }

    $w.WriteStartElement('command', 'syntax', $ns.command)
    foreach ($set in $cmd.ParameterSets) {
        $w.WriteStartElement('command', 'syntaxItem', $ns.command)
        $w.WriteElementString('name', $ns.maml, $cmd.Name)
        foreach ($p in $set.Parameters | Where-Object { $_.Name -notin $common }) {
            $position = $p.Position -ge 0 ? "$($p.Position + 1)" : 'named'
            ParameterElement $p.Name (Get-TypeName $p.ParameterType) $p.IsMandatory $position (Pipeline $p) $null
        }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'parameters', $ns.command)
    foreach ($p in $cmd.Parameters.Values | Where-Object { $_.Name -notin $common } | Sort-Object Name) {
        $attrs = @($p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
        $mandatory = [bool]($attrs | Where-Object Mandatory)
        $pos = ($attrs | Where-Object { $_.Position -ge 0 } | Select-Object -First 1)?.Position
        $position = $null -ne $pos ? "$($pos + 1)" : 'named'
        $pipe = ($attrs | Where-Object { $_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName } | Select-Object -First 1)
        $default = $mandatory ? 'None' : (Get-DefaultValue $instance $p.Name $paramDocs[$p.Name])
        $globbing = [bool]($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
        ParameterElement $p.Name (Get-TypeName $p.ParameterType) $mandatory $position ($pipe ? (Pipeline $pipe) : 'false') $paramDocs[$p.Name] @($p.Aliases) $default $globbing
        if ($pipe) {
            $inputs.Add(($pipe.ValueFromPipeline ? "$(Get-TypeName $p.ParameterType)" : "Any object with a $($p.Name) property$(if ($p.Aliases) { ' (or ' + ($p.Aliases -join ', ') + ')' })"), "-$($p.Name)$($pipe.ValueFromPipeline -and $pipe.ValueFromPipelineByPropertyName ? ', by value or by property name' : $pipe.ValueFromPipeline ? ', by value' : ', by property name')")
        }
    }
    $w.WriteEndElement()

    # INPUTS: what the pipeline binds, from the parameters themselves.
    if ($inputs.Count -gt 0) {
        $w.WriteStartElement('command', 'inputTypes', $ns.command)
        foreach ($i in $inputs.GetEnumerator()) {
            $w.WriteStartElement('command', 'inputType', $ns.command)
            $w.WriteStartElement('dev', 'type', $ns.dev); $w.WriteElementString('name', $ns.maml, $i.Key); $w.WriteEndElement()
            $w.WriteStartElement('maml', 'description', $ns.maml); Para "Binds to $($i.Value)."; $w.WriteEndElement()
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
    } else {
        $w.WriteStartElement('command', 'inputTypes', $ns.command)
        $w.WriteStartElement('command', 'inputType', $ns.command)
        $w.WriteStartElement('dev', 'type', $ns.dev); $w.WriteElementString('name', $ns.maml, 'None'); $w.WriteEndElement()
        $w.WriteStartElement('maml', 'description', $ns.maml); Para 'This cmdlet takes no pipeline input.'; $w.WriteEndElement()
        $w.WriteEndElement()
        $w.WriteEndElement()
    }

    $outputs = @($type.GetCustomAttributes([System.Management.Automation.OutputTypeAttribute], $true) | ForEach-Object { $_.Type.Name })
    if ($outputs) {
        $w.WriteStartElement('command', 'returnValues', $ns.command)
        foreach ($o in $outputs) {
            $w.WriteStartElement('command', 'returnValue', $ns.command)
            $w.WriteStartElement('dev', 'type', $ns.dev); $w.WriteElementString('name', $ns.maml, $o); $w.WriteEndElement()
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
    }

    $examples = @(if ($typeDoc) { $typeDoc.SelectNodes('example') })
    if ($examples) {
        $w.WriteStartElement('command', 'examples', $ns.command)
        $n = 0
        foreach ($ex in $examples) {
            $n++
            $w.WriteStartElement('command', 'example', $ns.command)
            $w.WriteElementString('title', $ns.maml, "-------------------------- Example $n --------------------------")
            $w.WriteElementString('code', $ns.dev, (Get-Text $ex.SelectSingleNode('code')))
            $w.WriteStartElement('dev', 'remarks', $ns.dev); Para (Get-Text $ex.SelectSingleNode('para')); $w.WriteEndElement()
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
    } else {
        $missing.Add("$($cmd.Name): example")
    }

    # RELATED LINKS: <para type="link">Cmdlet-Name</para> in the class's summary, then the about topic.
    $w.WriteStartElement('maml', 'relatedLinks', $ns.maml)
    $links = @(if ($typeDoc) { $typeDoc.SelectNodes('summary/para[@type="link"]') | ForEach-Object { Get-Text $_ } }) + 'about_Afml'
    foreach ($link in $links) {
        if ($link -ne 'about_Afml' -and $link -notin $module.ExportedCmdlets.Keys) { $missing.Add("$($cmd.Name): link to unknown '$link'") }
        $w.WriteStartElement('maml', 'navigationLink', $ns.maml)
        $w.WriteElementString('linkText', $ns.maml, $link)
        $w.WriteElementString('uri', $ns.maml, '')
        $w.WriteEndElement()
    }
    $w.WriteEndElement()
    $w.WriteEndElement()
}
$w.WriteEndElement()
$w.WriteEndDocument()
$w.Dispose()
if ($missing.Count -gt 0) { throw "Undocumented (add doc comments to the cmdlets): $($missing -join '; ')" }
Write-Host "Help written: $path"
