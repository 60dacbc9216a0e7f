namespace Afml.FakeBinance;

internal static class Program
{
    public static Task<int> Main(string[] args) => StandaloneHost.RunAsync(args, Console.Out, CancellationToken.None);
}
