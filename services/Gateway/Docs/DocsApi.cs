using Scalar.AspNetCore;
using VexaService.Contracts;

namespace VexaService.Gateway.Docs;

/// <summary>The API's documents (<c>/openapi.json</c>, <c>/openapi/admin.json</c>) and the interactive page at <c>/docs</c>.</summary>
public static class DocsApi
{
    public const string UserDocument = "/openapi.json";
    public const string AdminDocument = "/openapi/admin.json";

    public static IEndpointRouteBuilder MapDocsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet(UserDocument, (ApiDocuments documents, CancellationToken ct) => AnswerAsync(documents.UserAsync, ct)).ExcludeFromDescription();
        app.MapGet(AdminDocument, (ApiDocuments documents, CancellationToken ct) => AnswerAsync(documents.AdminAsync, ct)).ExcludeFromDescription();
        app.MapScalarApiReference("/docs", options => options
            .WithTitle("Vexa API")
            .AddDocument("api", "Vexa API", UserDocument, isDefault: true)
            .AddDocument("admin", "Admin API", AdminDocument));
        return app;
    }

    private static async Task<IResult> AnswerAsync(Func<CancellationToken, Task<string>> document, CancellationToken ct)
    {
        try
        {
            return TypedResults.Text(await document(ct), "application/json");
        }
        catch (ApiDocumentsUnavailableException e)
        {
            return TypedResults.Json(new ErrorBody(e.Message), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
