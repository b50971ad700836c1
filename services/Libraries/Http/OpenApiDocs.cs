using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.OpenApi;
using VexaService.Contracts;

namespace VexaService.Http;

/// <summary>
/// Each service describes its own endpoints (Microsoft.AspNetCore.OpenApi) at <see cref="InternalPath"/>, which the
/// gateway does not route to: the gateway merges them into the documents users read (<c>/openapi.json</c>,
/// <c>/openapi/admin.json</c>). Handlers read raw bodies (for Vexa's validation messages), so bodies, responses and
/// query parameters are declared here, next to each route.
/// </summary>
public static class OpenApiDocs
{
    public const string InternalPath = "/openapi/v1.json";

    public static IHostApplicationBuilder AddVexaOpenApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Servers = []; // users call the gateway, whose address the merged document leaves to the reader
                return Task.CompletedTask;
            });
            options.AddSchemaTransformer((schema, context, _) =>
            {
                DescribeAsWritten(schema, context.JsonTypeInfo.Type);
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    /// <summary>
    /// Numbers as we write them (our JSON options also read numbers from strings, which the generator would document
    /// as "integer or string"), and times as strings (Vexa's naive ISO format has its own converter, which the
    /// generator cannot see into).
    /// </summary>
    private static void DescribeAsWritten(OpenApiSchema schema, Type type)
    {
        if (schema.Type is { } kinds && kinds.HasFlag(JsonSchemaType.String)
            && (kinds.HasFlag(JsonSchemaType.Integer) || kinds.HasFlag(JsonSchemaType.Number)))
        {
            schema.Type = kinds & ~JsonSchemaType.String;
            schema.Pattern = null;
        }
        if (schema.Type is null && (type == typeof(DateTime) || type == typeof(DateTime?)))
        {
            schema.Type = type == typeof(DateTime) ? JsonSchemaType.String : JsonSchemaType.String | JsonSchemaType.Null;
            schema.Format = "date-time";
            schema.Description ??= "UTC, ISO 8601 without an offset, as Vexa writes times";
        }
    }

    public static WebApplication MapVexaOpenApi(this WebApplication app)
    {
        app.MapOpenApi(InternalPath);
        return app;
    }

    /// <summary>The JSON body the handler reads.</summary>
    public static RouteHandlerBuilder AcceptsJson<T>(this RouteHandlerBuilder builder) where T : notnull =>
        builder.Accepts<T>("application/json");

    /// <summary>Errors in Vexa's shape: <c>{"detail": "..."}</c>, and pydantic's list of issues for 422.</summary>
    public static RouteHandlerBuilder ProducesDetail(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses)
        {
            if (status == StatusCodes.Status422UnprocessableEntity)
            {
                builder.Produces<ValidationErrorBody>(status);
            }
            else
            {
                builder.Produces<ErrorBody>(status);
            }
        }
        return builder;
    }

    /// <summary>A query parameter the handler reads from the request itself.</summary>
    public static RouteHandlerBuilder WithQuery(this RouteHandlerBuilder builder, string name, string description,
        JsonSchemaType type = JsonSchemaType.String) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Query,
                Description = description,
                Schema = new OpenApiSchema { Type = type },
            });
            return Task.CompletedTask;
        });

    /// <summary>The paging <see cref="QueryValues.Paging"/> reads.</summary>
    public static RouteHandlerBuilder WithPaging(this RouteHandlerBuilder builder) =>
        builder.WithQuery("skip", "How many to skip (default 0)", JsonSchemaType.Integer)
            .WithQuery("offset", "Another name for skip", JsonSchemaType.Integer)
            .WithQuery("limit", $"How many to return (default {QueryValues.DefaultLimit}, at most {QueryValues.MaxLimit})",
                JsonSchemaType.Integer);
}
