using System.Text.Json.Nodes;
using Afml.FakeBinance.Streams;

namespace Afml.FakeBinance.Rest;

/// <summary>USER_STREAM routes: POST (create or return the active key), PUT (keepalive), DELETE.</summary>
internal sealed class ListenKeyRoutes(ListenKeys keys, UserStreamHub hub)
{
    public void Map(RouteTable table)
    {
        table.Add("POST /fapi/v1/listenKey", Security.UserStream, 1, c => Task.FromResult(Reply(keys.Create(c.Now))));
        table.Add("PUT /fapi/v1/listenKey", Security.UserStream, 1, c =>
            Task.FromResult(keys.KeepAlive(c.Parameters["listenKey"], c.Now) is { } key ? Reply(key) : RestResponse.Error(BinanceError.ListenKey)));
        table.Add("DELETE /fapi/v1/listenKey", Security.UserStream, 1, async c =>
        {
            var key = c.Parameters["listenKey"] ?? keys.Active(c.Now);
            if (!keys.Delete(c.Parameters["listenKey"])) return RestResponse.Error(BinanceError.ListenKey);
            if (key is not null) await hub.CloseAsync(key, "listenKey deleted");
            return RestResponse.Json("{}");
        });
    }

    private static RestResponse Reply(string key) => RestResponse.Json(new JsonObject { ["listenKey"] = key }.ToJsonString());
}
