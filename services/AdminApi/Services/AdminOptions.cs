using System.ComponentModel.DataAnnotations;

namespace VexaService.AdminApi.Services;

public sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>The operator's key (AppHost parameter <c>admin-api-key</c>), sent as X-Admin-API-Key.</summary>
    [Required, MinLength(16)]
    public string ApiKey { get; set; } = "";
}
