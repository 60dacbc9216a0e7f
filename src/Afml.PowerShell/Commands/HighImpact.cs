using System.Management.Automation;

namespace Afml.PowerShell.Commands;

/// <summary>
/// The confirmation rule of the high-impact cmdlets (ConfirmImpact High: ShouldProcess asks by default):
/// -WhatIf (or $WhatIfPreference) only says what would happen and never acts, whatever -Force says; -Force skips the
/// question unless -Confirm is given explicitly; otherwise ShouldProcess asks. Never <c>Force || ShouldProcess</c>,
/// which acted under -WhatIf -Force.
/// </summary>
internal static class HighImpact
{
    public static bool Allows(PSCmdlet cmdlet, bool force, string target, string action)
    {
        var bound = cmdlet.MyInvocation.BoundParameters;
        var whatIf = bound.TryGetValue("WhatIf", out var w)
            ? LanguagePrimitives.IsTrue(w)
            : LanguagePrimitives.IsTrue(cmdlet.GetVariableValue("WhatIfPreference"));
        if (whatIf)
        {
            cmdlet.ShouldProcess(target, action); // writes "What if: …", returns false
            return false;
        }
        var confirmAsked = bound.TryGetValue("Confirm", out var c) && LanguagePrimitives.IsTrue(c);
        if (force && !confirmAsked) return true;
        return cmdlet.ShouldProcess(target, action);
    }
}
