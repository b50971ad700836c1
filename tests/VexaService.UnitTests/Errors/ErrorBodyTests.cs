using System.Text.Json;
using VexaService.Contracts;

namespace VexaService.UnitTests.Errors;

public class ErrorBodyTests
{
    [Fact]
    public void Serializes_as_fastapi_detail_object()
    {
        var json = JsonSerializer.Serialize(new ErrorBody("Invalid API token"));
        Assert.Equal("""{"detail":"Invalid API token"}""", json);
    }
}
