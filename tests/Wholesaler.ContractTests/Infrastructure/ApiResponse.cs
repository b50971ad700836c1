using System.Net;
using System.Text.Json.Nodes;

namespace Wholesaler.ContractTests.Infrastructure;

/// <summary>Status, raw body and content type of one answer, with the body as a JSON tree.</summary>
public sealed record ApiResponse(HttpStatusCode Status, string Body, string? ContentType)
{
    public JsonNode Json => JsonNode.Parse(Body) ?? throw new InvalidOperationException("Body is JSON null.");

    public JsonObject Object => Json.AsObject();

    /// <summary>The string <c>detail</c> of an error body.</summary>
    public string? Detail => Json["detail"]?.GetValueKind() == System.Text.Json.JsonValueKind.String
        ? Json["detail"]!.GetValue<string>()
        : null;

    public override string ToString() => $"{(int)Status} {Body}";
}
