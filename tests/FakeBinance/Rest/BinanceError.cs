namespace Afml.FakeBinance.Rest;

/// <summary>A Binance error reply: HTTP status plus the {"code","msg"} body. Factory names follow the doc's §6 table.</summary>
internal sealed record BinanceError(int Status, int Code, string Message)
{
    public static BinanceError Mandatory(string name) =>
        new(400, -1102, $"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.");
    public static BinanceError BadParam(string name) =>
        new(400, -1130, $"Data sent for parameter '{name}' is not valid.");
    public static BinanceError ApiKeyFormat => new(401, -2014, "API-key format invalid.");
    public static BinanceError RejectedKey => new(401, -2015, "Invalid API-key, IP, or permissions for action.");
    public static BinanceError Signature => new(400, -1022, "Signature for this request is not valid.");
    public static BinanceError OutsideRecvWindow => new(400, -1021, "Timestamp for this request is outside of the recvWindow.");
    public static BinanceError AheadOfServer => new(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.");
    public static BinanceError BadSymbol => new(400, -1121, "Invalid symbol.");
    public static BinanceError BadInterval => new(400, -1120, "Invalid interval.");
    public static BinanceError BadSide => new(400, -1117, "Invalid side.");
    public static BinanceError BadOrderType => new(400, -1116, "Invalid orderType.");
    public static BinanceError AlgoOnly => new(400, -4120, "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.");
    public static BinanceError Precision => new(400, -1111, "Precision is over the maximum defined for this asset.");
    public static BinanceError QtyNotPositive => new(400, -4003, "Quantity less than or equal to zero.");
    public static BinanceError QtyBelowMin => new(400, -4004, "Quantity less than or equal to min quantity.");
    public static BinanceError QtyAboveMax => new(400, -4005, "Quantity greater than max quantity.");
    public static BinanceError QtyStep => new(400, -4023, "Quantity not increased by step size.");
    public static BinanceError PriceFilter => new(400, -4014, "Price not increased by tick size.");
    public static BinanceError MinNotional(decimal notional) =>
        new(400, -4164, $"Order's notional must be no smaller than {notional.ToString(System.Globalization.CultureInfo.InvariantCulture)} (unless you choose reduce only).");
    public static BinanceError ReduceOnly => new(400, -2022, "ReduceOnly Order is rejected.");
    public static BinanceError Margin => new(400, -2019, "Margin is insufficient.");
    public static BinanceError ClientIdInvalid => new(400, -4015, "Client order id is not valid.");
    public static BinanceError ClientIdDuplicated => new(400, -4116, "ClientOrderId is duplicated.");
    public static BinanceError NoSuchOrder => new(400, -2013, "Order does not exist.");
    public static BinanceError UnknownOrder => new(400, -2011, "Unknown order sent.");
    public static BinanceError EitherOrderId => new(400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
    public static BinanceError Leverage(int leverage) => new(400, -4028, $"Leverage {leverage} is not valid");
    public static BinanceError ListenKey => new(400, -1125, "This listenKey does not exist.");
    public static BinanceError TooManyOrders => new(400, -2025, "Reach max open order limit.");
    public static BinanceError PositionSideMismatch => new(400, -4061, "Order's position side does not match user's setting.");
    public static BinanceError NoNeedToChangeMarginType => new(400, -4046, "No need to change margin type.");
    public static BinanceError MarginTypeWithPosition => new(400, -4048, "Margin type cannot be changed if there exists position.");
    public static BinanceError NoNeedToChangePositionSide => new(400, -4059, "No need to change position side.");
    public static BinanceError PositionSideWithPosition => new(400, -4068, "Position side cannot be changed if there exists position.");
    public static BinanceError NoNeedToChangeMultiAssets => new(400, -4171, "Adjusted Multi-Assets mode is same as user's current Multi-Assets mode.");
    public static BinanceError NotFound => new(404, -1000, "Not found.");
}
