using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace VexaService.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running service.</summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<VexaDbContext>
{
    public VexaDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<VexaDbContext>()
            .UseNpgsql("Host=127.0.0.1;Database=vexa;Username=postgres")
            .UseSnakeCaseNamingConvention()
            .Options);
}
