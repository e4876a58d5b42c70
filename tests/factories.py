"""Factories shared by every app's tests (factory_boy)."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from omstallning.accounts.roles import STAFF_ROLES, Role

TEST_PASSWORD = "test-password-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        """UserFactory(role=Role.CASE_OFFICER) puts the user in the role's group."""
        if not extracted or not create:
            return
        role = Role(extracted)
        self.groups.add(Group.objects.get_or_create(name=role.value)[0])
        changed = []
        if role in STAFF_ROLES and not self.is_staff:
            self.is_staff = True
            changed.append("is_staff")
        if role == Role.ADMINISTRATOR and not self.is_superuser:
            self.is_superuser = True
            changed.append("is_superuser")
        if changed:
            self.save(update_fields=changed)
