using Xunit.Abstractions;

namespace Afml.Tests.Session;

/// <summary>What a test measured, for people: to the test output and, when <c>AFML_TEST_REPORT_DIR</c> is set
/// (build.ps1 Test sets it), one line appended to <c>fault-suite.report.txt</c> there, printed after the run.</summary>
internal static class TestReport
{
    public const string DirectoryVariable = "AFML_TEST_REPORT_DIR";
    public const string FileName = "fault-suite.report.txt";
    private static readonly object Gate = new();

    public static void Write(ITestOutputHelper output, string line)
    {
        output.WriteLine(line);
        var dir = Environment.GetEnvironmentVariable(DirectoryVariable);
        if (string.IsNullOrWhiteSpace(dir)) return;
        lock (Gate)
        {
            Directory.CreateDirectory(dir);
            File.AppendAllText(Path.Combine(dir, FileName), line + Environment.NewLine);
        }
    }
}
