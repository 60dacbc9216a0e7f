using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Afml.Core.Session;

/// <summary>
/// The session's console lines as <see cref="SessionLog"/> events. A message below <see cref="Minimum"/> is never
/// built: the interpolated-string handler skips formatting entirely (nothing is allocated for the console under
/// <c>-Quiet</c>). Invariant culture always.
/// </summary>
public sealed class SessionLogger(ChannelWriter<SessionEvent> events, TimeProvider time, SessionLogLevel minimum = SessionLogLevel.Debug)
{
    public SessionLogLevel Minimum { get; } = minimum;

    public bool IsEnabled(SessionLogLevel level) => level >= Minimum;

    public void Write(SessionLogLevel level, string message)
    {
        if (IsEnabled(level)) events.TryWrite(new SessionLog(time.GetUtcNow(), level, message));
    }

    public void Debug([InterpolatedStringHandlerArgument("")] ref DebugHandler message) { if (message.Enabled) Write(SessionLogLevel.Debug, message.ToStringAndClear()); }
    public void Info([InterpolatedStringHandlerArgument("")] ref InfoHandler message) { if (message.Enabled) Write(SessionLogLevel.Info, message.ToStringAndClear()); }
    public void Warning([InterpolatedStringHandlerArgument("")] ref WarningHandler message) { if (message.Enabled) Write(SessionLogLevel.Warning, message.ToStringAndClear()); }
    public void Error([InterpolatedStringHandlerArgument("")] ref ErrorHandler message) { if (message.Enabled) Write(SessionLogLevel.Error, message.ToStringAndClear()); }
    public void Debug(string message) => Write(SessionLogLevel.Debug, message);
    public void Info(string message) => Write(SessionLogLevel.Info, message);
    public void Warning(string message) => Write(SessionLogLevel.Warning, message);
    public void Error(string message) => Write(SessionLogLevel.Error, message);

    /// <summary>Drops everything: for code that runs without a console (tests of parts, tools).</summary>
    public static SessionLogger None { get; } = new(Channel.CreateBounded<SessionEvent>(1).Writer, TimeProvider.System, (SessionLogLevel)int.MaxValue);

    [InterpolatedStringHandler]
    public ref struct DebugHandler
    {
        private Builder _b;
        public DebugHandler(int literalLength, int formattedCount, SessionLogger logger, out bool enabled) => _b = new(literalLength, formattedCount, logger.IsEnabled(SessionLogLevel.Debug), out enabled);
        internal readonly bool Enabled => _b.Enabled;
        public void AppendLiteral(string s) => _b.AppendLiteral(s);
        public void AppendFormatted<T>(T value, string? format = null) => _b.AppendFormatted(value, format);
        public void AppendFormatted<T>(T value, int alignment, string? format = null) => _b.AppendFormatted(value, alignment, format);
        internal string ToStringAndClear() => _b.ToStringAndClear();
    }

    [InterpolatedStringHandler]
    public ref struct InfoHandler
    {
        private Builder _b;
        public InfoHandler(int literalLength, int formattedCount, SessionLogger logger, out bool enabled) => _b = new(literalLength, formattedCount, logger.IsEnabled(SessionLogLevel.Info), out enabled);
        internal readonly bool Enabled => _b.Enabled;
        public void AppendLiteral(string s) => _b.AppendLiteral(s);
        public void AppendFormatted<T>(T value, string? format = null) => _b.AppendFormatted(value, format);
        public void AppendFormatted<T>(T value, int alignment, string? format = null) => _b.AppendFormatted(value, alignment, format);
        internal string ToStringAndClear() => _b.ToStringAndClear();
    }

    [InterpolatedStringHandler]
    public ref struct WarningHandler
    {
        private Builder _b;
        public WarningHandler(int literalLength, int formattedCount, SessionLogger logger, out bool enabled) => _b = new(literalLength, formattedCount, logger.IsEnabled(SessionLogLevel.Warning), out enabled);
        internal readonly bool Enabled => _b.Enabled;
        public void AppendLiteral(string s) => _b.AppendLiteral(s);
        public void AppendFormatted<T>(T value, string? format = null) => _b.AppendFormatted(value, format);
        public void AppendFormatted<T>(T value, int alignment, string? format = null) => _b.AppendFormatted(value, alignment, format);
        internal string ToStringAndClear() => _b.ToStringAndClear();
    }

    [InterpolatedStringHandler]
    public ref struct ErrorHandler
    {
        private Builder _b;
        public ErrorHandler(int literalLength, int formattedCount, SessionLogger logger, out bool enabled) => _b = new(literalLength, formattedCount, logger.IsEnabled(SessionLogLevel.Error), out enabled);
        internal readonly bool Enabled => _b.Enabled;
        public void AppendLiteral(string s) => _b.AppendLiteral(s);
        public void AppendFormatted<T>(T value, string? format = null) => _b.AppendFormatted(value, format);
        public void AppendFormatted<T>(T value, int alignment, string? format = null) => _b.AppendFormatted(value, alignment, format);
        internal string ToStringAndClear() => _b.ToStringAndClear();
    }

    /// <summary>The shared body of the handlers: an invariant-culture builder that exists only when enabled.</summary>
    internal ref struct Builder
    {
        private DefaultInterpolatedStringHandler _inner;
        public readonly bool Enabled;

        public Builder(int literalLength, int formattedCount, bool enabled, out bool shouldAppend)
        {
            Enabled = shouldAppend = enabled;
            _inner = enabled ? new DefaultInterpolatedStringHandler(literalLength, formattedCount, CultureInfo.InvariantCulture) : default;
        }

        public void AppendLiteral(string s) => _inner.AppendLiteral(s);
        public void AppendFormatted<T>(T value, string? format) => _inner.AppendFormatted(value, format);
        public void AppendFormatted<T>(T value, int alignment, string? format) => _inner.AppendFormatted(value, alignment, format);
        public string ToStringAndClear() => _inner.ToStringAndClear();
    }
}
