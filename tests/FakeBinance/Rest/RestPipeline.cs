using System.Text;
using Microsoft.AspNetCore.Http;

namespace Afml.FakeBinance.Rest;

/// <summary>One REST call end to end: rate limits, scripted faults (before and after the request takes effect),
/// API key and signature, the route, Binance's headers, and the request log.</summary>
internal sealed class RestPipeline(RouteTable routes, RequestAuthenticator auth, RateLimiter limiter, FaultScript faults, RequestLog log, ServerClock clock, CancellationToken serverStopping)
{
    public async Task HandleAsync(HttpContext ctx)
    {
        var endpoint = ctx.Request.Method + " " + ctx.Request.Path.Value;
        var rawQuery = ctx.Request.QueryString.HasValue ? ctx.Request.QueryString.Value![1..] : "";
        var rawBody = await ReadBodyAsync(ctx.Request);
        var now = clock.NowMs;
        var p = new RequestParameters(rawQuery, rawBody);
        var entry = new RecordedRequest(clock.Now, endpoint, rawQuery, rawBody, null, null, p["newClientOrderId"] ?? p["origClientOrderId"], 0, null, null);

        var route = routes.Find(endpoint);
        if (route is null)
        {
            await WriteAsync(ctx, entry, RestResponse.Error(BinanceError.NotFound));
            return;
        }
        if (limiter.Admit(now, route.Weight(p)) is { } limited)
        {
            if (limited.RetryAfterSeconds is { } seconds) ctx.Response.Headers["Retry-After"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await WriteAsync(ctx, entry, RestResponse.Error(limited.Error));
            return;
        }

        var fault = faults.Take(endpoint, kind => Applies(kind, endpoint), clock.Now);
        entry = entry with { Fault = fault?.Kind };
        switch (fault)
        {
            case { Kind: FaultKind.DropBeforeAccept }:
                Drop(ctx, entry);
                return;
            case { Kind: FaultKind.Latency }:
                if (!await WaitAsync(fault.Delay, ctx.RequestAborted)) { log.Add(entry); return; }
                now = clock.NowMs;
                break;
            case { Kind: FaultKind.RateLimited }:
                ctx.Response.Headers["Retry-After"] = limiter.ForceBackoff(now, fault.RetryAfter).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await WriteAsync(ctx, entry, RestResponse.Error(new BinanceError(429, -1003, "Too many requests; current limit of IP is 2400 requests per minute. Please use the websocket for live updates to avoid polling the API.")));
                return;
            case { Kind: FaultKind.Banned }:
                var (banError, banSeconds) = limiter.ForceBan(now, fault.Delay, fault.Execute);
                if (banSeconds is { } s) ctx.Response.Headers["Retry-After"] = s.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await WriteAsync(ctx, entry, RestResponse.Error(banError));
                return;
            case { Kind: FaultKind.ErrorResponse, Execute: false }:
                await WriteAsync(ctx, entry, FaultResponse(fault));
                return;
        }

        if (route.Security != Security.None)
        {
            var keyError = auth.CheckKey(ctx.Request.Headers["X-MBX-APIKEY"].ToString());
            entry = entry with { ApiKeyValid = keyError is null };
            if (keyError is not null)
            {
                await WriteAsync(ctx, entry, RestResponse.Error(keyError));
                return;
            }
        }
        if (route.Security == Security.Signed)
        {
            var (valid, error) = auth.CheckSigned(rawQuery, rawBody, p, now);
            entry = entry with { SignatureValid = valid };
            if (error is not null)
            {
                await WriteAsync(ctx, entry, RestResponse.Error(error));
                return;
            }
        }
        if (fault is { Kind: FaultKind.TransientNotFound })
        {
            await WriteAsync(ctx, entry, RestResponse.Error(BinanceError.NoSuchOrder));
            return;
        }

        var response = await route.Handle(new RestCall(p, now, fault));
        if (response.IsOrderPlacement && response.Status == 200)
        {
            var (tenSeconds, oneMinute) = limiter.CountOrder(now);
            ctx.Response.Headers["X-MBX-ORDER-COUNT-10S"] = tenSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            ctx.Response.Headers["X-MBX-ORDER-COUNT-1M"] = oneMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        switch (fault)
        {
            case { Kind: FaultKind.ErrorResponse, Execute: true }:
                response = FaultResponse(fault);
                break;
            case { Kind: FaultKind.DropAfterAccept }:
                Drop(ctx, entry with { ErrorCode = response.ErrorCode });
                return;
            case { Kind: FaultKind.TimeoutAfterAccept }:
                if (!await WaitAsync(fault.Delay, ctx.RequestAborted))
                {
                    log.Add(entry with { ErrorCode = response.ErrorCode });
                    return;
                }
                break;
        }
        await WriteAsync(ctx, entry, response);
    }

    private static bool Applies(FaultKind kind, string endpoint) => kind switch
    {
        FaultKind.PartialFill => endpoint == FaultEndpoints.NewOrder,
        FaultKind.TransientNotFound => endpoint == FaultEndpoints.QueryOrder,
        FaultKind.StreamDropMidCandle or FaultKind.StreamLateFinal or FaultKind.StreamDuplicate or FaultKind.StreamOutOfOrder => false,
        _ => true,
    };

    private static RestResponse FaultResponse(Fault fault) => fault.Code is { } code
        ? new RestResponse(fault.Status, RestResponse.ErrorBody(code, fault.Message)) { ErrorCode = code }
        : new RestResponse(fault.Status, fault.Message, "text/html");

    private void Drop(HttpContext ctx, RecordedRequest entry)
    {
        log.Add(entry);
        ctx.Abort();
    }

    /// <summary>False when the client went away (or the server is stopping) before the delay ran out.</summary>
    private async Task<bool> WaitAsync(TimeSpan delay, CancellationToken aborted)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(aborted, serverStopping);
        try
        {
            await Task.Delay(delay, either.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task WriteAsync(HttpContext ctx, RecordedRequest entry, RestResponse response)
    {
        log.Add(entry with { Status = response.Status, ErrorCode = response.ErrorCode });
        ctx.Response.StatusCode = response.Status;
        ctx.Response.ContentType = response.ContentType == "application/json" ? "application/json;charset=UTF-8" : response.ContentType;
        ctx.Response.Headers["X-MBX-USED-WEIGHT-1M"] = limiter.UsedWeight.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            await ctx.Response.WriteAsync(response.Body, Encoding.UTF8, ctx.RequestAborted);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client went away before the answer; the log already holds what it would have been.
        }
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request)
    {
        if (request.ContentLength == 0 || (request.ContentLength is null && !request.Headers.TransferEncoding.Any())) return "";
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
    }
}
