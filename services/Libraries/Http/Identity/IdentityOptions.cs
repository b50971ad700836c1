using System.ComponentModel.DataAnnotations;

namespace VexaService.Http;

/// <summary>The AppHost secret that the gateway signs caller identities with and the services verify.</summary>
public sealed class IdentityOptions
{
    public const string Section = "Identity";

    [Required, MinLength(32)]
    public string SigningKey { get; set; } = "";

    /// <summary>How long a signed identity is accepted; only needs to cover one hop.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromSeconds(60);
}
