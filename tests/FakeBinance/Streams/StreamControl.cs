using System.Text.Json;
using System.Text.Json.Nodes;

namespace Afml.FakeBinance.Streams;

/// <summary>The JSON control messages a stream connection understands: SUBSCRIBE, UNSUBSCRIBE,
/// LIST_SUBSCRIPTIONS, SET_PROPERTY / GET_PROPERTY ["combined"].</summary>
internal static class StreamControl
{
    public static string Handle(StreamConnection connection, string text)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(text); }
        catch (JsonException ex) { return Error(3, "Invalid JSON: " + ex.Message, null); }
        if (node is not JsonObject request) return Error(3, "Invalid JSON: expected an object", null);

        JsonNode? id = request["id"]?.DeepClone();
        var method = request["method"]?.GetValueKind() == JsonValueKind.String ? request["method"]!.GetValue<string>() : null;
        var parameters = request["params"] as JsonArray;
        if (id is null || id.GetValueKind() != JsonValueKind.Number) return Error(2, "Invalid request: request ID must be an unsigned integer", null);
        switch (method)
        {
            case "SUBSCRIBE" or "UNSUBSCRIBE":
                if (parameters is null || parameters.Any(p => p?.GetValueKind() != JsonValueKind.String))
                    return Error(2, "Invalid request: params must be a list of stream names", id);
                var names = parameters.Select(p => p!.GetValue<string>()).ToArray();
                if (method == "SUBSCRIBE") connection.Subscribe(names); else connection.Unsubscribe(names);
                return new JsonObject { ["result"] = null, ["id"] = id }.ToJsonString();
            case "LIST_SUBSCRIPTIONS":
                return new JsonObject { ["result"] = new JsonArray(connection.Streams.Select(s => (JsonNode)s!).ToArray()), ["id"] = id }.ToJsonString();
            case "SET_PROPERTY" when parameters is [JsonValue name, JsonValue value] && name.ToString() == "combined" && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                connection.Combined = value.GetValue<bool>();
                return new JsonObject { ["result"] = null, ["id"] = id }.ToJsonString();
            case "GET_PROPERTY" when parameters is [JsonValue name] && name.ToString() == "combined":
                return new JsonObject { ["result"] = connection.Combined, ["id"] = id }.ToJsonString();
            default:
                return Error(2, "Invalid request: unknown method or property", id);
        }
    }

    private static string Error(int code, string message, JsonNode? id) =>
        new JsonObject { ["code"] = code, ["msg"] = message, ["id"] = id }.ToJsonString();
}
