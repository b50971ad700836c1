using System.Text.Json;

namespace VexaService.Contracts;

/// <summary>Vexa's JSON conventions, for every body we write (API answers, webhook payloads): snake_case, Vexa's datetimes.</summary>
public static class VexaJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions());

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.Converters.Add(new NaiveDateTimeConverter());
        return options;
    }
}
