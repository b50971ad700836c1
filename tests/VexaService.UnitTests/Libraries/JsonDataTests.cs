using VexaService.Data;
using VexaService.Keys;

namespace VexaService.UnitTests.Libraries;

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
        var token = new ApiTokenGenerator().NewToken();
        Assert.Matches("^[A-Za-z0-9]{40}$", token);
        Assert.NotEqual(token, new ApiTokenGenerator().NewToken());
        Assert.Matches("^[0-9a-f]{64}$", ApiKeyHash.Compute(token));
    }

    [Theory]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")] // FIPS 180-2 example
    [InlineData("AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd", "1a1ebf401800ed3cc89ad191dd9a55aacc2c44fc2016f4ead05f8269b0ae7a85")]
    public void A_token_is_stored_as_the_lowercase_hex_sha256_of_its_utf8_text(string token, string expected) =>
        Assert.Equal(expected, ApiKeyHash.Compute(token));
}
