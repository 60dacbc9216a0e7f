using Microsoft.AspNetCore.Http;

namespace Afml.FakeBinance.Streams;

/// <summary>Accepts WebSocket connections on Binance's routed layout: /market (klines), /public (no klines
/// here), /private (user data by listenKey), each in raw (/ws/…) or combined (/stream?…) mode; legacy unrouted
/// /ws and /stream connect but, as since 2026-04-23, carry no klines.</summary>
internal sealed class StreamEndpoint(FakeBinanceOptions options, MarketStreamHub market, UserStreamHub user, ListenKeys keys, ServerClock clock)
{
    public static bool IsStreamPath(PathString path) =>
        path.StartsWithSegments("/market") || path.StartsWithSegments("/public") || path.StartsWithSegments("/private")
        || path.StartsWithSegments("/ws") || path.StartsWithSegments("/stream");

    public async Task HandleAsync(HttpContext ctx, CancellationToken serverStopping)
    {
        if (!ctx.WebSockets.IsWebSocketRequest)
        {
            ctx.Response.StatusCode = 400;
            return;
        }
        var path = ctx.Request.Path.Value ?? "";
        string? route = null;
        foreach (var prefix in new[] { "/market", "/public", "/private" })
        {
            if (!path.StartsWith(prefix, StringComparison.Ordinal)) continue;
            route = prefix[1..];
            path = path[prefix.Length..];
            break;
        }
        var combined = path == "/stream";
        if (!combined && path != "/ws" && !path.StartsWith("/ws/", StringComparison.Ordinal))
        {
            ctx.Response.StatusCode = 404;
            return;
        }
        var query = ctx.Request.Query;
        if (route == "private")
        {
            var key = path.StartsWith("/ws/", StringComparison.Ordinal) ? path[4..] : query["listenKey"].ToString();
            if (!keys.IsValid(key, clock.NowMs))
            {
                ctx.Response.StatusCode = 400;
                await ctx.Response.WriteAsync("{\"code\":-1125,\"msg\":\"This listenKey does not exist.\"}");
                return;
            }
            var events = query["events"].ToString();
            IReadOnlySet<string>? filter = events.Length == 0 ? null : events.Split('/', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            using var socket = await ctx.WebSockets.AcceptWebSocketAsync(AcceptContext());
            var connection = new StreamConnection(socket, combined, [], options.MaxIncomingMessagesPerSecond) { ListenKey = key, EventFilter = filter, CarriesKlines = false };
            await RunAsync(user.Connections, connection, serverStopping);
            return;
        }

        var streams = combined
            ? query["streams"].ToString().Split('/', StringSplitOptions.RemoveEmptyEntries)
            : path.Length > 4 ? path[4..].Split('/', StringSplitOptions.RemoveEmptyEntries) : [];
        using (var socket = await ctx.WebSockets.AcceptWebSocketAsync(AcceptContext()))
        {
            var connection = new StreamConnection(socket, combined, streams, options.MaxIncomingMessagesPerSecond)
            {
                CarriesKlines = route == "market" || (route is null && options.LegacyStreamsCarryKlines),
            };
            await RunAsync(market.Connections, connection, serverStopping);
        }
    }

    private WebSocketAcceptContext AcceptContext() => options.PingInterval > TimeSpan.Zero
        ? new WebSocketAcceptContext { KeepAliveInterval = options.PingInterval, KeepAliveTimeout = options.PongTimeout }
        : new WebSocketAcceptContext { KeepAliveInterval = TimeSpan.Zero };

    private static async Task RunAsync(ConnectionSet set, StreamConnection connection, CancellationToken serverStopping)
    {
        set.Add(connection);
        try { await connection.RunAsync(StreamControl.Handle, serverStopping); }
        finally { set.Remove(connection); }
    }
}
