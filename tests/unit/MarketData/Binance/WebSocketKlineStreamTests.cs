using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Afml.Core.MarketData.Binance;

namespace Afml.Tests.MarketData.Binance;

/// <summary>The real <see cref="WebSocketKlineStream"/> against a minimal hand-written WebSocket server on loopback:
/// it must answer a server ping with a pong carrying the same payload (Binance disconnects clients that do not)
/// while delivering kline frames, and report the server's close.</summary>
public class WebSocketKlineStreamTests
{
    private const string Kline = """{"e":"kline","E":1700000060012,"s":"BTCUSDT","k":{"t":1700000000000,"T":1700000059999,"s":"BTCUSDT","i":"1m","f":1,"L":2,"o":"37000.10","c":"37005.50","h":"37010.00","l":"36990.00","v":"12.345","n":321,"x":true,"q":"1","V":"1","Q":"1","B":"0"}}""";

    [Fact]
    public async Task Answers_pings_delivers_klines_and_reports_the_close()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        string? path = null;
        byte[]? pong = null;
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync(cts.Token);
            var net = client.GetStream();
            path = await HandshakeAsync(net, cts.Token);
            await SendFrameAsync(net, 0x9, "ping-7f3a"u8.ToArray(), cts.Token);
            await SendFrameAsync(net, 0x1, Encoding.UTF8.GetBytes("""{"result":null,"id":1}"""), cts.Token);
            await SendFrameAsync(net, 0x1, Encoding.UTF8.GetBytes(Kline), cts.Token);
            while (pong is null)
            {
                var (op, payload) = await ReadFrameAsync(net, cts.Token);
                if (op == 0xA) pong = payload;
            }
            await SendFrameAsync(net, 0x8, [0x03, 0xE8], cts.Token); // close 1000
            try { while (true) { var (op, _) = await ReadFrameAsync(net, cts.Token); if (op == 0x8) break; } } catch (EndOfStreamException) { }
        });

        var connector = new WebSocketKlineConnector(TimeProvider.System, TimeSpan.FromSeconds(10));
        await using var stream = await connector.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/market/ws/btcusdt@kline_1m"), cts.Token);
        var e = await stream.ReceiveAsync(cts.Token);
        Assert.NotNull(e);
        Assert.True(e.Value.IsClosed);
        Assert.Equal(37005.50, e.Value.Candle.Close);
        Assert.Null(await stream.ReceiveAsync(cts.Token)); // the server closed
        Assert.Contains("closed by the server", stream.EndReason);
        await server;
        listener.Stop();
        Assert.Equal("/market/ws/btcusdt@kline_1m", path);
        Assert.Equal("ping-7f3a"u8.ToArray(), pong);
    }

    private static async Task<string> HandshakeAsync(NetworkStream net, CancellationToken ct)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (buffer.Count < 8192)
        {
            await net.ReadExactlyAsync(one, ct);
            buffer.Add(one[0]);
            if (buffer.Count >= 4 && buffer[^4] == '\r' && buffer[^3] == '\n' && buffer[^2] == '\r' && buffer[^1] == '\n') break;
        }
        var lines = Encoding.ASCII.GetString([.. buffer]).Split("\r\n");
        var key = lines.First(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase)).Split(':', 2)[1].Trim();
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        var response = $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n";
        await net.WriteAsync(Encoding.ASCII.GetBytes(response), ct);
        return lines[0].Split(' ')[1];
    }

    private static async Task SendFrameAsync(NetworkStream net, int opcode, byte[] payload, CancellationToken ct)
    {
        var header = payload.Length < 126
            ? new byte[] { (byte)(0x80 | opcode), (byte)payload.Length }
            : [(byte)(0x80 | opcode), 126, (byte)(payload.Length >> 8), (byte)payload.Length];
        await net.WriteAsync(header, ct);
        await net.WriteAsync(payload, ct);
    }

    private static async Task<(int Opcode, byte[] Payload)> ReadFrameAsync(NetworkStream net, CancellationToken ct)
    {
        var h = new byte[2];
        await net.ReadExactlyAsync(h, ct);
        long len = h[1] & 0x7F;
        if (len == 126) { var x = new byte[2]; await net.ReadExactlyAsync(x, ct); len = (x[0] << 8) | x[1]; }
        else if (len == 127) { var x = new byte[8]; await net.ReadExactlyAsync(x, ct); len = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(x); }
        var mask = new byte[4];
        if ((h[1] & 0x80) != 0) await net.ReadExactlyAsync(mask, ct);
        var payload = new byte[len];
        await net.ReadExactlyAsync(payload, ct);
        for (var i = 0; i < payload.Length; i++) payload[i] ^= mask[i % 4];
        return (h[0] & 0x0F, payload);
    }
}
