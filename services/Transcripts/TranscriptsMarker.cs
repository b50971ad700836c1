namespace VexaService.Transcripts;

/// <summary>Names this service's assembly for <c>WebApplicationFactory&lt;T&gt;</c> in tests; several services'
/// top-level <c>Program</c> classes would otherwise clash in one test project.</summary>
public sealed class TranscriptsMarker;
