using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace VexaService.Shared.Data;

public static class DataExtensions
{
    /// <summary>The database connection name every service uses; the AppHost provides it.</summary>
    public const string ConnectionName = "vexadb";

    public static IHostApplicationBuilder AddVexaData(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<VexaDbContext>(ConnectionName,
            configureDbContextOptions: options => options.UseSnakeCaseNamingConvention());
        return builder;
    }
}
