namespace VexaService.Contracts;

/// <summary>Vexa's success body for commands: <c>{"message": "..."}</c>.</summary>
public sealed record MessageResponse(string Message);
