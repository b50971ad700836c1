namespace VexaService.EndToEndTests;

/// <summary>Classes that start the AppHost run one after another: two AppHosts at once would share the gateway's port.</summary>
[CollectionDefinition(Name)]
public sealed class AppHostCollection
{
    public const string Name = "AppHost";
}
