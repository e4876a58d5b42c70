"""Loads the default parameter set (decisions.md) and the inkomstbasbelopp table (rules.md §3)."""

from django.db import migrations

IBB = [
    (2019, 64400, "confirmed_2nd", "https://www.finfa.se/kollektivavtalad-forsakring/Nyhetsrum/Nyheter/2018/11/inkomstbasbeloppet-for-2019/", ""),
    (2020, 66800, "confirmed_2nd", "https://lo.se/start/avtalsforsakringar/omstallningsstod_vid_arbetsbrist_sjukdom_och_avslut_av_anstallning/omstallning_inom_kooperationen_och_civilsamhallet", "Derived from seed 004: 50 % of the IBB = 33 400 kr in 2020."),
    (2021, 68200, "confirmed", "https://riksdagen.se/sv/dokument-lagar/dokument/svensk-forfattningssamling/forordning-2020964-om-inkomstbasbelopp-for-ar_sfs-2020-964", "SFS 2020:964"),
    (2022, 71000, "confirmed_2nd", "https://sakra.se/artiklar/beloppen-att-halla-koll-pa-infoer-2022", ""),
    (2023, 74300, "confirmed", "https://lagen.nu/2022:1437", "SFS 2022:1437"),
    (2024, 76200, "confirmed_2nd", "https://foretagarna.se/juridisk-faq/ovrigt/prisbasbeloppet-och-inkomstbasbeloppet", ""),
    (2025, 80600, "confirmed_2nd", "https://trygga.com/ekonomiska-tips/inkomstbasbelopp", ""),
    (2026, 83400, "uncertain", "https://www.avtalat.se/arbetsgivare/nyheter-for-arbetsgivare/basbelopp-och-premier-for-2026", "decisions.md D15: 83 400 kr; inkomstbasbelopp.se gives 81 300. Check the SFS before go-live."),
]


def load(apps, schema_editor):
    IncomeBaseAmount = apps.get_model("eligibility", "IncomeBaseAmount")
    ParameterSet = apps.get_model("eligibility", "ParameterSet")
    for year, amount, status, url, notes in IBB:
        IncomeBaseAmount.objects.update_or_create(
            year=year, defaults={"amount": amount, "status": status, "source_url": url, "notes": notes}
        )
    if not ParameterSet.objects.exists():
        # Every other field takes the model default, which is the decisions.md default.
        ParameterSet.objects.create(
            version=1,
            is_active=True,
            source="decisions.md D1–D15 and C-D1–C-D4 (defaults); rules.md R-1.10–R-1.43, C-1–C-8.",
            notes="Loaded by migration eligibility 0002. Open points: R-1.12a, R-1.19b, R-1.22, R-1.31, R-1.43, IBB 2026.",
        )


def unload(apps, schema_editor):
    apps.get_model("eligibility", "ParameterSet").objects.filter(version=1).delete()
    apps.get_model("eligibility", "IncomeBaseAmount").objects.filter(year__in=[row[0] for row in IBB]).delete()


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
