namespace Afml.FakeBinance.Rest;

/// <summary>What a route answers before faults and headers are applied.</summary>
internal sealed record RestResponse(int Status, string Body, string ContentType = "application/json")
{
    public int? ErrorCode { get; init; }
    public bool IsOrderPlacement { get; init; }

    public static RestResponse Json(string body) => new(200, body);

    public static RestResponse Error(BinanceError error) =>
        new(error.Status, ErrorBody(error.Code, error.Message)) { ErrorCode = error.Code };

    public static string ErrorBody(int code, string message) =>
        "{\"code\":" + code.ToString(System.Globalization.CultureInfo.InvariantCulture) + ",\"msg\":" +
        System.Text.Json.JsonSerializer.Serialize(message) + "}";
}
