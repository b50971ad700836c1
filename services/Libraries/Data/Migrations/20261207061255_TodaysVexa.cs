using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VexaService.Data.Migrations
{
    /// <inheritdoc />
    public partial class TodaysVexa : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "wholesaler_connection_id",
                table: "meetings",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "wholesaler_webhooks",
                columns: table => new
                {
                    event_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    event_type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    body = table.Column<string>(type: "jsonb", nullable: false),
                    received_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    next_attempt_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    processed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    outcome = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_wholesaler_webhooks", x => x.event_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_meetings_wholesaler_connection_id",
                table: "meetings",
                column: "wholesaler_connection_id");

            migrationBuilder.CreateIndex(
                name: "ix_wholesaler_webhooks_next_attempt_at",
                table: "wholesaler_webhooks",
                column: "next_attempt_at",
                filter: "processed_at IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "wholesaler_webhooks");

            migrationBuilder.DropIndex(
                name: "ix_meetings_wholesaler_connection_id",
                table: "meetings");

            migrationBuilder.DropColumn(
                name: "wholesaler_connection_id",
                table: "meetings");
        }
    }
}
