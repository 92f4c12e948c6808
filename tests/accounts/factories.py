import factory

from gis_portal.accounts.models import StaffRole, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.kz")
    password = factory.django.Password("a-long-test-password")


class StaffRoleFactory(factory.django.DjangoModelFactory):
    user = factory.SubFactory(UserFactory)
    kind = StaffRole.Kind.AKIMAT_OFFICER

    class Meta:
        model = StaffRole
        skip_postgeneration_save = True

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas.set(extracted)
