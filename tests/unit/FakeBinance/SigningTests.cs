using Afml.FakeBinance;

namespace Afml.Tests.FakeBinance;

public sealed class SigningTests
{
    private const string DocSecret = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9";
    private const long DocTimestamp = 1591702613943;

    [Theory]
    [InlineData(DocSecret, "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943", "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9")]
    [InlineData(DocSecret, "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTCquantity=1&price=9000&recvWindow=5000&timestamp=1591702613943", "30baaf0fab549bbeda7f5ef201898b34122da25fd23c646cac2c529aebe670a4")]
    [InlineData("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j", "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559", "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71")]
    public void Signature_matches_the_doc_vectors(string secret, string message, string expected) =>
        Assert.Equal(expected, BinanceSignature.Compute(secret, message));

    private static async Task<FakeVenue> DocVenueAsync()
    {
        var venue = await FakeVenue.StartAsync(o => o with { ApiSecret = DocSecret });
        venue.Clock.Set(DateTimeOffset.FromUnixTimeMilliseconds(DocTimestamp + 300));
        return venue;
    }

    [Fact]
    public async Task Doc_vector_in_the_query_string_is_accepted()
    {
        await using var venue = await DocVenueAsync();
        var reply = await venue.SendRawAsync(HttpMethod.Post, "/fapi/v1/order",
            "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943&signature=3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9");
        Assert.Equal(200, reply.Status);
        Assert.Equal("NEW", reply.Str("status"));
        Assert.True(venue.Server.RequestLog.For("POST /fapi/v1/order").Single().SignatureValid);
    }

    [Fact]
    public async Task Doc_vector_split_across_query_and_body_is_accepted_and_uppercase_hex_too()
    {
        await using var venue = await DocVenueAsync();
        var reply = await venue.SendRawAsync(HttpMethod.Post, "/fapi/v1/order", "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC",
            "quantity=1&price=9000&recvWindow=5000&timestamp=1591702613943&signature=" + "30baaf0fab549bbeda7f5ef201898b34122da25fd23c646cac2c529aebe670a4".ToUpperInvariant());
        Assert.Equal(200, reply.Status);
        Assert.Equal(9000m, reply.Dec("price"));
    }

    [Fact]
    public async Task Bad_signature_is_minus_1022()
    {
        await using var venue = await FakeVenue.StartAsync();
        var reply = await venue.SendAsync(HttpMethod.Get, "/fapi/v3/account", secret: "wrong-secret");
        Assert.Equal(400, reply.Status);
        Assert.Equal(-1022, reply.Code);
        Assert.Equal("Signature for this request is not valid.", reply.Str("msg"));
        Assert.False(venue.Server.RequestLog.Entries.Single().SignatureValid);
    }

    [Fact]
    public async Task Signature_in_the_body_is_verified_over_query_plus_body()
    {
        await using var venue = await FakeVenue.StartAsync();
        var reply = await venue.SendAsync(HttpMethod.Post, "/fapi/v1/leverage", "symbol=BTCUSDT", body: "leverage=7", signatureInBody: true);
        Assert.Equal(200, reply.Status);
        Assert.Equal(7, reply.Json.GetProperty("leverage").GetInt32());
    }

    [Fact]
    public async Task Missing_and_wrong_api_keys_are_rejected()
    {
        await using var venue = await FakeVenue.StartAsync();
        var missing = await venue.SendAsync(HttpMethod.Get, "/fapi/v3/account", apiKey: null);
        var wrong = await venue.SendAsync(HttpMethod.Get, "/fapi/v3/account", apiKey: "someone-else");
        var listenKey = await venue.SendAsync(HttpMethod.Post, "/fapi/v1/listenKey", signed: false, apiKey: "someone-else");
        Assert.Equal((401, -2014), (missing.Status, missing.Code));
        Assert.Equal((401, -2015), (wrong.Status, wrong.Code));
        Assert.Equal(-2015, listenKey.Code);
    }

    [Fact]
    public async Task Missing_timestamp_is_minus_1102()
    {
        await using var venue = await FakeVenue.StartAsync();
        var reply = await venue.SendRawAsync(HttpMethod.Get, "/fapi/v3/account", "signature=00");
        Assert.Equal(-1102, reply.Code);
    }

    [Fact]
    public async Task Timestamps_outside_the_window_are_minus_1021_with_both_messages()
    {
        await using var venue = await FakeVenue.StartAsync();
        var behind = await venue.SendAsync(HttpMethod.Get, "/fapi/v3/account", skewMs: -5_001);
        var ahead = await venue.SendAsync(HttpMethod.Get, "/fapi/v3/account", skewMs: 1_000);
        var edge = await venue.SendAsync(HttpMethod.Get, "/fapi/v3/account", skewMs: -5_000);
        Assert.Equal((400, -1021), (behind.Status, behind.Code));
        Assert.Equal("Timestamp for this request is outside of the recvWindow.", behind.Str("msg"));
        Assert.Equal("Timestamp for this request was 1000ms ahead of the server's time.", ahead.Str("msg"));
        Assert.Equal(200, edge.Status);
    }

    [Fact]
    public async Task Server_clock_offset_skews_against_the_client_and_recvWindow_widens_it()
    {
        await using var venue = await FakeVenue.StartAsync();
        venue.Server.ClockOffset = TimeSpan.FromSeconds(10);
        var skewed = await venue.SendAsync(HttpMethod.Get, "/fapi/v3/account");
        var widened = await venue.SendAsync(HttpMethod.Get, "/fapi/v3/account", "recvWindow=20000");
        var tooWide = await venue.SendAsync(HttpMethod.Get, "/fapi/v3/account", "recvWindow=60001");
        var time = await venue.SendAsync(HttpMethod.Get, "/fapi/v1/time", signed: false);
        Assert.Equal(-1021, skewed.Code);
        Assert.Equal(200, widened.Status);
        Assert.Equal(400, tooWide.Status);
        Assert.Equal(venue.Now + 10_000, time.Json.GetProperty("serverTime").GetInt64());
    }

    [Fact]
    public async Task Relaxed_timestamps_accept_any_time_but_still_check_the_signature()
    {
        await using var venue = await FakeVenue.StartAsync(o => o with { CheckTimestamps = false });
        var stale = await venue.SendAsync(HttpMethod.Get, "/fapi/v3/account", skewMs: -3_600_000);
        var ahead = await venue.SendAsync(HttpMethod.Get, "/fapi/v3/account", skewMs: 60_000);
        Assert.Equal(200, stale.Status);
        Assert.Equal(200, ahead.Status);
        var forged = await venue.SendAsync(HttpMethod.Get, "/fapi/v3/account", skewMs: -3_600_000, secret: "not-the-secret");
        Assert.Equal((400, -1022), (forged.Status, forged.Code));
    }
}
