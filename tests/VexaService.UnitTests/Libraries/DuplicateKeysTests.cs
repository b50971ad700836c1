using System.Text.Json;
using VexaService.Contracts;

namespace VexaService.UnitTests.Libraries;

public class DuplicateKeysTests
{
    [Theory]
    [InlineData("""{"a":1,"a":2}""", """["a"]""")]
    [InlineData("""{"a":{"b":[0,{"c":1,"d":{"e":1,"e":1}}]}}""", """["a","b",1,"d","e"]""")]
    [InlineData("""[{"x":1},{"x":1,"x":1}]""", """[1,"x"]""")]
    public void The_first_duplicate_is_found_at_any_depth_with_its_path(string json, string path)
    {
        using var document = JsonDocument.Parse(json);
        Assert.Equal(path, JsonSerializer.Serialize(DuplicateKeys.FirstPath(document.RootElement)));
    }

    [Theory]
    [InlineData("""{"a":1,"A":1,"b":{"a":1}}""")]
    [InlineData("""[{"a":1},{"a":1}]""")]
    [InlineData("42")]
    public void Equal_keys_in_different_objects_or_different_case_are_not_duplicates(string json)
    {
        using var document = JsonDocument.Parse(json);
        Assert.Null(DuplicateKeys.FirstPath(document.RootElement));
    }
}
