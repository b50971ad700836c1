using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VexaService.Data.Migrations
{
    /// <inheritdoc />
    public partial class WebhookEvents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_user_id_id",
                table: "webhook_deliveries",
                columns: new[] { "user_id", "id" });

            // New outbox rows wake every replica's dispatcher (on commit) instead of each polling the table.
            migrationBuilder.Sql("""
                CREATE FUNCTION webhook_deliveries_notify() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('webhook_deliveries', '');
                    RETURN NULL;
                END $$;
                CREATE TRIGGER webhook_deliveries_inserted AFTER INSERT ON webhook_deliveries
                    FOR EACH STATEMENT EXECUTE FUNCTION webhook_deliveries_notify();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER webhook_deliveries_inserted ON webhook_deliveries;
                DROP FUNCTION webhook_deliveries_notify();
                """);
            migrationBuilder.DropIndex(
                name: "ix_webhook_deliveries_user_id_id",
                table: "webhook_deliveries");
        }
    }
}
