using Afml.Core.Portfolio;
using Afml.Core.Risk;

namespace Afml.Core.Session;

/// <summary>Hands the drawdown monitor the book as the loop leaves it: at the start, after every row and every
/// reconciliation (a venue event included), on the loop's thread.</summary>
internal sealed class DrawdownMonitorTracking(DrawdownMonitor monitor, TrainingPortfolio book) : ISessionObserver
{
    public void OnStateChanged(SessionState state, string? reason, SessionProgress progress) => monitor.Track(book);
    public void OnStep(StepRecorded step, SessionProgress progress) => monitor.Track(book);
    public void OnReconciled(SessionProgress progress) => monitor.Track(book);
}
