using System.Net;
using System.Net.Http.Headers;
using VexaService.Wholesaler;

namespace VexaService.UnitTests.Wholesaler;

/// <summary>How long the Wholesaler's 429 holds every call back.</summary>
public sealed class ThrottledForTests
{
    [Fact]
    public void A_429_with_retry_after_in_seconds_is_waited_out_that_long()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
        Assert.Equal(TimeSpan.FromSeconds(7), WholesalerBudgetHandler.ThrottledFor(response));
    }

    [Fact]
    public void A_429_with_retry_after_as_a_date_is_waited_out_until_then()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(DateTimeOffset.UtcNow.AddSeconds(30));
        var wait = WholesalerBudgetHandler.ThrottledFor(response);
        Assert.InRange(wait, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(31));
    }

    [Fact]
    public void A_429_without_retry_after_is_the_address_guard_and_waited_out_a_whole_minute()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        Assert.Equal(TimeSpan.FromSeconds(60), WholesalerBudgetHandler.ThrottledFor(response));
    }
}
