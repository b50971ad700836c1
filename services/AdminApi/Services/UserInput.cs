using System.Text.Json.Nodes;
using VexaService.Http;

namespace VexaService.AdminApi.Services;

/// <summary>The fields of <c>UserCreate</c> / <c>UserUpdate</c>; each is null when the body did not send it.</summary>
public sealed record UserInput(string? Email, string? Name, string? ImageUrl, int? MaxConcurrentBots, JsonObject? Data,
    bool SentName, bool SentImageUrl)
{
    private static readonly string[] Fields = ["email", "name", "image_url", "max_concurrent_bots", "data"];

    /// <summary>Reads and checks a create (email required) or update body; all problems are reported together.</summary>
    public static (UserInput? Input, IResult? Error) Read(JsonObject body, bool emailRequired)
    {
        var reader = new FieldReader(body);
        reader.RejectUnknown(Fields);
        var rawEmail = reader.String("email", required: emailRequired, maxLength: 255);
        var name = reader.String("name", maxLength: 100);
        var imageUrl = reader.String("image_url", maxLength: 2083);
        var maxBots = reader.Int("max_concurrent_bots", min: 0, max: 1000);
        var data = reader.Object("data");
        WebhookSettings.CheckData(reader, data);
        if (body.TryGetPropertyValue("max_concurrent_bots", out var botsNode) && botsNode is null)
        {
            reader.Fail("max_concurrent_bots", "none is not an allowed value", "type_error.none.not_allowed");
        }

        string? email = null;
        if (rawEmail is not null)
        {
            email = EmailAddress.Normalize(rawEmail);
            if (email is null)
            {
                reader.Fail("email", "value is not a valid email address", "value_error.email");
            }
        }
        if (!reader.IsValid)
        {
            return (null, reader.Error());
        }
        return (new UserInput(email, name, imageUrl, maxBots, data, body.ContainsKey("name"), body.ContainsKey("image_url")), null);
    }
}
