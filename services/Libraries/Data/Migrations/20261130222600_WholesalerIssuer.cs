using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VexaService.Data.Migrations
{
    /// <inheritdoc />
    public partial class WholesalerIssuer : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_meetings_wholesaler_meeting_id",
                table: "meetings");

            migrationBuilder.AddColumn<string>(
                name: "wholesaler_issuer",
                table: "meetings",
                type: "character varying(512)",
                maxLength: 512,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_meetings_wholesaler_issuer_wholesaler_meeting_id",
                table: "meetings",
                columns: new[] { "wholesaler_issuer", "wholesaler_meeting_id" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_meetings_wholesaler_issuer_wholesaler_meeting_id",
                table: "meetings");

            migrationBuilder.DropColumn(
                name: "wholesaler_issuer",
                table: "meetings");

            migrationBuilder.CreateIndex(
                name: "ix_meetings_wholesaler_meeting_id",
                table: "meetings",
                column: "wholesaler_meeting_id",
                unique: true);
        }
    }
}
