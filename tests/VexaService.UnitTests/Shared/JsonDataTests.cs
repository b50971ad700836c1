using System.Text.Json.Nodes;
using VexaService.Shared.Api;
using VexaService.Shared.Auth;

namespace VexaService.UnitTests.Shared;

public class JsonDataTests
{
    [Fact]
    public void Parse_tolerates_empty_and_non_object_values() 
    {
        Assert.Empty(JsonData.Parse(null));
        Assert.Empty(JsonData.Parse("[1,2]"));
    }

    [Fact]
    public void Tokens_are_40_alphanumerics_and_hash_to_64_hex_characters()
    {
        var token = ApiTokenGenerator.NewToken();
        Assert.Matches("^[A-Za-z0-9]{40}$", token);
        Assert.NotEqual(token, ApiTokenGenerator.NewToken());
        Assert.Matches("^[0-9a-f]{64}$", ApiKeyHash.Compute(token));
        Assert.Equal(ApiKeyHash.Compute(token), ApiKeyHash.Compute(token));
    }
}
