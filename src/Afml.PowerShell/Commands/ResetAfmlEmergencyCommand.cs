using System.Globalization;
using System.Management.Automation;
using Afml.Core;
using Afml.Core.Configuration;
using Afml.Core.Risk;

namespace Afml.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Clears a training's HALTED latch so that a new session of it may start.</para>
/// <para type="description">An emergency (drawdown limit, failed operations, Invoke-AfmlEmergency) latches the training
/// HALTED in produccion/afml_halted.json, and Start-AfmlSession refuses it (TrainingHalted, naming when and why) from
/// any process, until this clears it: check the account first. Returns what the latch said; a training that is not
/// halted gets a warning and nothing changes. High impact: asks for confirmation unless -Force; -WhatIf never acts.</para>
/// </summary>
/// <example>
/// <code>Reset-AfmlEmergency -TrainId $id</code>
/// <para>Shows when and why the training was halted, asks, and clears the latch.</para>
/// </example>
/// <example>
/// <code>Reset-AfmlEmergency -TrainId $id -TrainingRoot ./entrenamientos -Force</code>
/// <para>In a script: clears it without asking.</para>
/// </example>
[Cmdlet(VerbsCommon.Reset, "AfmlEmergency", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(HaltRecord))]
public sealed class ResetAfmlEmergencyCommand : AfmlTrainingTargetCmdlet
{
    protected override void ProcessRecord()
    {
        if (OpenTraining() is not { } folder) return;
        var latch = new TrainingHaltLatch(folder.ProductionDir);
        if (latch.Read() is not { } halt)
        {
            WriteWarning($"Training '{TrainId}' is not halted; nothing to reset.");
            return;
        }
        var target = string.Create(CultureInfo.InvariantCulture,
            $"training {TrainId} (HALTED since {halt.HaltedAt:yyyy-MM-dd HH:mm:ss'Z'}: {halt.Reason}{(halt.EmergencyState is null ? "" : " · " + halt.EmergencyState)}{(string.IsNullOrEmpty(halt.StillOpen) ? "" : ": " + halt.StillOpen)})");
        const string action = "Clear the HALTED latch so that a new session may start";
        if (!HighImpact.Allows(this, Force, target, action)) return; // -WhatIf never acts, even with -Force
        WriteObject(latch.Clear() ?? halt);
    }
}
