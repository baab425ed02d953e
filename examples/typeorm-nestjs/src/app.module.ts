import { type DynamicModule, Module } from '@nestjs/common'
import { TypeOrmModule } from '@nestjs/typeorm'
import { Book } from './books/book.entity.js'
import { BooksController } from './books/books.controller.js'
import { BooksService } from './books/books.service.js'
import { ormOptions } from './options.js'

/** The feature module: the Book repository, the service and the controller. */
@Module({
  imports: [TypeOrmModule.forFeature([Book])],
  providers: [BooksService],
  controllers: [BooksController],
})
class BooksModule {}

/** The application on the database at `url`. */
@Module({})
export class AppModule {
  static forDatabase(url: string): DynamicModule {
    return {
      module: AppModule,
      imports: [TypeOrmModule.forRoot(ormOptions(url)), BooksModule],
    }
  }
}
