using Microsoft.EntityFrameworkCore;

namespace VexaService.Data;

/// <summary>The Retailer's database: users, their API tokens and the meetings they own.</summary>
public sealed class VexaDbContext(DbContextOptions<VexaDbContext> options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<RevokedToken> RevokedTokens => Set<RevokedToken>();
    public DbSet<Meeting> Meetings => Set<Meeting>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<MeetingUsage> MeetingUsage => Set<MeetingUsage>();
    public DbSet<WholesalerWebhook> WholesalerWebhooks => Set<WholesalerWebhook>();
    public DbSet<TranscriptSegment> TranscriptSegments => Set<TranscriptSegment>();

    /// <summary>
    /// Why the status <see cref="MeetingStatusWriter"/> saves next changed, for the <c>status_change</c> of the users'
    /// events (<see cref="MeetingEventOutbox"/>): who noticed (Vexa's <c>transition_source</c>) and, when known, the
    /// reason. Null outside the writer, where a change of status is refused.
    /// </summary>
    public StatusTransition? Transition { get; internal set; }

    /// <summary>Owners of meetings this save changes, until it is saved (<see cref="MeetingOwnerChanges"/>).</summary>
    internal HashSet<long> SavingOwners { get; } = [];

    /// <summary>Owners of meetings changed in the open transaction, told when it commits (<see cref="MeetingOwnerChanges"/>).</summary>
    internal HashSet<long> UncommittedOwners { get; } = [];

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<User>(user =>
        {
            user.Property(u => u.Email).HasMaxLength(255);
            user.HasIndex(u => u.Email).IsUnique();
            user.Property(u => u.Name).HasMaxLength(100);
            user.Property(u => u.CreatedAt).HasDefaultValueSql("now()");
            user.Property(u => u.MaxConcurrentBots).HasDefaultValue(1);
            user.Property(u => u.Data).HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
            user.Property(u => u.WebhookSecret).HasMaxLength(256);
        });

        model.Entity<ApiToken>(token =>
        {
            token.Property(t => t.TokenHash).HasMaxLength(64).IsFixedLength();
            token.HasIndex(t => t.TokenHash).IsUnique();
            token.Property(t => t.TokenPrefix).HasMaxLength(8);
            token.Property(t => t.CreatedAt).HasDefaultValueSql("now()");
            token.Property(t => t.Name).HasMaxLength(100);
            // Keys from before scopes existed could do everything, and still can.
            token.Property(t => t.Scopes).HasDefaultValueSql("ARRAY['bots','transcripts']::text[]");
            token.HasOne(t => t.User).WithMany(u => u.ApiTokens).HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<RevokedToken>(revoked =>
        {
            revoked.Property(r => r.TokenHash).HasMaxLength(64).IsFixedLength();
            revoked.Property(r => r.RevokedAt).HasDefaultValueSql("now()");
            revoked.HasIndex(r => r.RevokedAt);
        });

        model.Entity<TranscriptSegment>(segment =>
        {
            segment.HasKey(s => new { s.MeetingId, s.SegmentKey });
            segment.Property(s => s.SegmentKey).HasMaxLength(128);
            segment.Property(s => s.Speaker).HasMaxLength(255);
            segment.Property(s => s.SegmentId).HasMaxLength(128);
            segment.Property(s => s.PendingSpeaker).HasMaxLength(255);
            segment.HasOne<Meeting>().WithMany().HasForeignKey(s => s.MeetingId).OnDelete(DeleteBehavior.Cascade);
            segment.HasGeneratedTsVectorColumn(s => s.Search, "simple", s => new { s.Text }).HasIndex(s => s.Search).HasMethod("GIN");
        });

        model.Entity<WholesalerWebhook>(webhook =>
        {
            webhook.HasKey(w => w.EventId);
            webhook.Property(w => w.EventId).HasMaxLength(128);
            webhook.Property(w => w.EventType).HasMaxLength(64);
            webhook.Property(w => w.Body).HasColumnType("jsonb");
            webhook.Property(w => w.Outcome).HasMaxLength(64);
            webhook.HasIndex(w => w.NextAttemptAt).HasFilter("processed_at IS NULL");
        });

        model.Entity<Meeting>(meeting =>
        {
            meeting.Property(m => m.Platform).HasMaxLength(32);
            meeting.Property(m => m.NativeMeetingId).HasMaxLength(255);
            meeting.Property(m => m.Status).HasMaxLength(32);
            meeting.Property(m => m.BotContainerId).HasMaxLength(255);
            meeting.Property(m => m.Data).HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
            meeting.Property(m => m.CreatedAt).HasDefaultValueSql("now()");
            meeting.Property(m => m.UpdatedAt).HasDefaultValueSql("now()");
            meeting.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
            meeting.HasIndex(m => new { m.UserId, m.Platform, m.NativeMeetingId, m.CreatedAt });
            meeting.Property(m => m.WholesalerIssuer).HasMaxLength(512);
            // A Wholesaler id is unique only for the Wholesaler that issued it.
            meeting.HasIndex(m => new { m.WholesalerIssuer, m.WholesalerMeetingId }).IsUnique();
            meeting.Property(m => m.WholesalerConnectionId).HasMaxLength(64);
            meeting.Property(m => m.TranscriptFed).HasMaxLength(64);
            meeting.HasIndex(m => m.WholesalerConnectionId);
            // The Wholesaler holds one bot per meeting for its single (system) user, so across all of our users
            // at most one live bot may exist per platform + native id. The database enforces it atomically.
            meeting.HasIndex(m => new { m.Platform, m.NativeMeetingId })
                .IsUnique()
                .HasFilter("status NOT IN ('completed', 'failed', 'error')")
                .HasDatabaseName("ix_meetings_one_live_bot_per_meeting");
            meeting.HasIndex(m => m.Status);
            // Whose a live frame is: the newest meeting on a native id, of any user (the gateway's /ws relay).
            meeting.HasIndex(m => new { m.NativeMeetingId, m.Platform });
        });

        model.Entity<WebhookDelivery>(delivery =>
        {
            delivery.Property(d => d.EventKey).HasMaxLength(64);
            // Text, not jsonb: the body is delivered byte for byte as built (jsonb would reorder its keys).
            delivery.Property(d => d.Payload).HasColumnType("text");
            delivery.Property(d => d.Status).HasMaxLength(16);
            delivery.Property(d => d.LastError).HasMaxLength(500);
            delivery.Property(d => d.CreatedAt).HasDefaultValueSql("now()");
            delivery.HasIndex(d => new { d.MeetingId, d.EventKey }).IsUnique();
            delivery.HasIndex(d => new { d.Status, d.NextAttemptAt });
            delivery.HasIndex(d => new { d.UserId, d.Id }); // a user's delivery log, newest first
            // No foreign keys: a delivery outlives the deletion of its meeting (the user was promised the event).
        });

        model.Entity<MeetingUsage>(usage =>
        {
            // Written by the trigger of migration KeysAndUsage, never by EF.
            usage.ToTable("meeting_usage");
            usage.HasKey(u => u.MeetingId);
            usage.Property(u => u.MeetingId).ValueGeneratedNever();
            usage.Property(u => u.Platform).HasMaxLength(32);
            usage.Property(u => u.NativeMeetingId).HasMaxLength(255);
            usage.Property(u => u.Status).HasMaxLength(32);
            usage.HasIndex(u => new { u.UserId, u.StartTime });
            usage.HasIndex(u => u.StartTime);
        });
    }
}
