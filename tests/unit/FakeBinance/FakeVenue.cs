using System.Globalization;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Afml.Core.MarketData;
using Afml.FakeBinance;

namespace Afml.Tests.FakeBinance;

/// <summary>Starts a fake on a deterministic 1h path (close = 20 000 + 10·i) with a manual clock just after the
/// last closed candle, and talks to it with raw HttpClient / ClientWebSocket calls, signing as the doc says.</summary>
internal sealed class FakeVenue : IAsyncDisposable
{
    public const long Start = 1_672_531_200_000; // 2023-01-01T00:00Z
    public const long Hour = 3_600_000;
    public const string Key = "test-key-0123456789";
    public const string Secret = "test-secret-abcdef";

    private FakeVenue(FakeBinanceServer server, ManualClock clock, TimeSpan? timeout)
    {
        Server = server;
        Clock = clock;
        Http = new HttpClient { BaseAddress = new Uri(server.RestBaseUrl), Timeout = timeout ?? TimeSpan.FromSeconds(10) };
    }

    public FakeBinanceServer Server { get; }
    public ManualClock Clock { get; }
    public HttpClient Http { get; }

    public static IReadOnlyList<Candle> Candles(int count) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var close = 20_000.0 + 10 * i;
            return new Candle(Start + i * Hour, close - 5, close + 20, close - 25, close, 100 + i);
        }).ToArray();

    public static async Task<FakeVenue> StartAsync(Func<FakeBinanceOptions, FakeBinanceOptions>? adjust = null, TimeSpan? httpTimeout = null, int closed = 50)
    {
        var clock = ManualClock.AtUnixMilliseconds(Start + closed * Hour + 1_000);
        var options = new FakeBinanceOptions
        {
            Candles = Candles(100),
            ClosedCandlesAtStart = closed,
            ApiKey = Key,
            ApiSecret = Secret,
            Clock = clock,
            PingInterval = TimeSpan.Zero,
        };
        var server = await FakeBinanceServer.StartAsync(adjust?.Invoke(options) ?? options);
        return new FakeVenue(server, clock, httpTimeout);
    }

    public long Now => Clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Sends a request; signed ones get timestamp (now + <paramref name="skewMs"/>) and a signature over
    /// exactly the bytes sent.</summary>
    public async Task<Reply> SendAsync(HttpMethod method, string path, string query = "", bool signed = true, string? apiKey = Key,
        string body = "", long skewMs = 0, string? secret = null, bool signatureInBody = false)
    {
        if (signed)
        {
            var ts = "timestamp=" + (Now + skewMs).ToString(CultureInfo.InvariantCulture);
            if (signatureInBody) body = body.Length == 0 ? ts : body + "&" + ts;
            else query = query.Length == 0 ? ts : query + "&" + ts;
            var signature = BinanceSignature.Compute(secret ?? Secret, query + body);
            if (signatureInBody) body += "&signature=" + signature;
            else query += "&signature=" + signature;
        }
        return await SendRawAsync(method, path, query, body, apiKey);
    }

    public async Task<Reply> SendRawAsync(HttpMethod method, string path, string query, string body = "", string? apiKey = Key)
    {
        using var request = new HttpRequestMessage(method, path + (query.Length > 0 ? "?" + query : ""));
        if (apiKey is not null) request.Headers.Add("X-MBX-APIKEY", apiKey);
        if (body.Length > 0) request.Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Reply((int)response.StatusCode, text, response.Headers);
    }

    public Task<Reply> MarketOrderAsync(string side, string qty, string clientId, bool reduceOnly = false, string respType = "RESULT") =>
        SendAsync(HttpMethod.Post, "/fapi/v1/order",
            $"symbol=BTCUSDT&side={side}&type=MARKET&quantity={qty}&newClientOrderId={clientId}&newOrderRespType={respType}" + (reduceOnly ? "&reduceOnly=true" : ""));

    public async Task<ClientWebSocket> ConnectAsync(string url, Func<int> connections, int expected)
    {
        var ws = new ClientWebSocket();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await ws.ConnectAsync(new Uri(url), cts.Token);
        Assert.True(await WaitAsync(() => connections() >= expected), "the server never registered the connection");
        return ws;
    }

    public static async Task<bool> WaitAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
        return condition();
    }

    /// <summary>The next text frame, or null when the connection ends (or nothing comes within 5 s).</summary>
    public static async Task<JsonElement?> ReceiveAsync(ClientWebSocket ws, int timeoutMs = 5000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await ws.ReceiveAsync(buffer, cts.Token);
                if (result.MessageType == WebSocketMessageType.Close) return null;
                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage) return JsonDocument.Parse(message.ToArray()).RootElement.Clone();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

internal sealed record Reply(int Status, string Body, HttpResponseHeaders Headers)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();
    public int Code => Json.GetProperty("code").GetInt32();
    public string Str(string name) => Json.GetProperty(name).GetString()!;
    public decimal Dec(string name) => decimal.Parse(Str(name), CultureInfo.InvariantCulture);
    public string? Header(string name) => Headers.TryGetValues(name, out var v) ? v.First() : null;
}
